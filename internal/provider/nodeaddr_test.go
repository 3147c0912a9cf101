package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

func TestPickSSHTarget(t *testing.T) {
	s := &settings{EndpointHost: "pve.example.com", SSH: sshSettings{Port: 22, Nodes: map[string]nodeAddr{
		"pve2": {Address: "10.9.9.2"}, "pve3": {Port: 2222},
	}}}
	ips := map[string]string{"pve1": "10.0.0.1", "pve2": "10.0.0.2", "pve3": "10.0.0.3"}
	cases := []struct {
		node string
		ips  map[string]string
		want sshTarget
	}{
		{"pve1", ips, sshTarget{"10.0.0.1", 22, addrFromCluster}},
		{"pve2", ips, sshTarget{"10.9.9.2", 22, addrFromOverride}},        // the explicit override wins
		{"pve3", ips, sshTarget{"10.0.0.3", 2222, addrFromCluster}},       // a port-only override keeps the cluster address
		{"pve1", nil, sshTarget{"pve.example.com", 22, addrFromEndpoint}}, // no /cluster/status: the endpoint's host
		{"pve4", ips, sshTarget{"pve.example.com", 22, addrFromEndpoint}},
	}
	for _, tc := range cases {
		if got := pickSSHTarget(s, tc.node, tc.ips); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.node, got, tc.want)
		}
	}
}

func TestVerifyNodeIdentity(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/pve/nodes/pve1"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := nodefs.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	tgt := sshTarget{"10.0.0.1", 22, addrFromCluster}
	if err := verifyNodeIdentity(ctx, f, "pve1", tgt); err == nil || !strings.Contains(err.Error(), "/etc/pve/local") {
		t.Fatalf("without /etc/pve/local: %v", err)
	}
	if err := os.Symlink("nodes/pve1", filepath.Join(root, "etc/pve/local")); err != nil {
		t.Fatal(err)
	}
	if err := verifyNodeIdentity(ctx, f, "pve1", tgt); err != nil {
		t.Fatalf("pve1 is pve1: %v", err)
	}
	err = verifyNodeIdentity(ctx, f, "pve2", tgt)
	if err == nil || !strings.Contains(err.Error(), `refusing node pve2: the machine at 10.0.0.1:22 (address from /cluster/status) is "pve1"`) {
		t.Fatalf("pve1 answering for pve2: %v", err)
	}
}
