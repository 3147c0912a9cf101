package provider

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestResolveEnv: resolve (config.go) over the environment and the
// configuration together.

// resolveEnvCase is one case of TestResolveEnv: environment and
// configuration in, then the expected error, or the expected warning (none
// when empty) and a check of the settings.
type resolveEnvCase struct {
	name  string
	env   map[string]string
	vals  map[string]tftypes.Value
	check func(t *testing.T, s settings)
	err   string // expected error detail fragment
	warn  string // expected warning summary fragment
}

func TestResolveEnv(t *testing.T) {
	keyFile, keyPEM := writeKey(t)
	home, _ := os.UserHomeDir()
	cases := []resolveEnvCase{
		{
			name: "everything from the environment",
			env: map[string]string{EnvEndpoint: "https://pve.example.com:8006", EnvAPIToken: testToken,
				EnvSSHUsername: "admin", EnvSSHPrivateKey: string(keyPEM), EnvSSHKnownHosts: "/etc/kh", EnvSSHPort: "2222",
				EnvNodeRoot: "/srv/sim/"},
			check: checkAllFromEnv(keyPEM),
			warn:  "A non-root SSH user needs ssh.sudo",
		},
		{
			name: "config wins over the environment",
			env: map[string]string{EnvEndpoint: "https://env:8006", EnvAPIToken: "env@pam!x=envsecret", EnvNodeAccess: "ssh",
				EnvSSHPort: "2222", EnvSSHUsername: "envuser", EnvSSHKnownHosts: "/env/kh"},
			vals: map[string]tftypes.Value{"endpoint": s("https://cfg:8006"), "api_token": s(testToken), "node_access": s("ssh"),
				"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(keyFile), "port": n(22022), "username": s("cfguser"),
					"known_hosts_file": s("~/kh")})},
			check: checkConfigWins(keyPEM, home),
			warn:  "A non-root SSH user needs ssh.sudo",
		},
		{
			name: "username in config, password from the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvPassword: testPassword, EnvAPIToken: testToken},
			vals: map[string]tftypes.Value{"username": s("root@pam"), "node_access": s("local")},
			check: func(t *testing.T, s settings) {
				if s.AuthMethod != "ticket" || s.Username != "root@pam" || s.Password != testPassword || s.APIToken != "" {
					t.Errorf("got method %q user %q token set %v", s.AuthMethod, s.Username, s.APIToken != "")
				}
			},
		},
		{
			name: "ticket from the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvUsername: "root@pam", EnvPassword: testPassword, EnvNodeAccess: "local"},
			check: func(t *testing.T, s settings) {
				if s.AuthMethod != "ticket" || s.NodeAccess != "local" || s.NodeRoot != "/" {
					t.Errorf("got %+v", s)
				}
			},
		},
		{
			name: "two methods in the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvUsername: "root@pam", EnvPassword: testPassword, EnvAPIToken: testToken},
			vals: map[string]tftypes.Value{"node_access": s("local")},
			err:  "Both PROXMOX_VE_API_TOKEN and PROXMOX_VE_USERNAME are set",
		},
		{
			name: "password without username",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvNodeAccess: "local"},
			vals: map[string]tftypes.Value{"password": s(testPassword)},
			err:  "username is not set: a password was given, so set `username` or PROXMOX_VE_USERNAME",
		},
		{
			name: "username without password",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvUsername: "root@pam", EnvNodeAccess: "local"},
			err:  "password is not set: set `password` or PROXMOX_VE_PASSWORD",
		},
		{
			name: "bad token from the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: "secretwithoutid", EnvNodeAccess: "local"},
			err:  "PROXMOX_VE_API_TOKEN must look like user@realm!tokenid=secret",
		},
		{
			name: "insecure from the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvInsecure: "true", EnvNodeAccess: "local"},
			check: func(t *testing.T, s settings) {
				if !s.Insecure {
					t.Error("insecure not set")
				}
			},
			warn: "TLS certificate verification of the PVE API is DISABLED",
		},
		{
			name: "config insecure=false beats the environment",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvInsecure: "true", EnvNodeAccess: "local"},
			vals: map[string]tftypes.Value{"insecure": b(false)},
			check: func(t *testing.T, s settings) {
				if s.Insecure {
					t.Error("insecure set")
				}
			},
		},
		{
			name: "invalid boolean",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvInsecure: "yes please", EnvNodeAccess: "local"},
			err:  `PROXMOX_VE_INSECURE must be true or false (also 1/0), not "yes please"`,
		},
		{
			name: "invalid mode",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvNodeAccess: "nfs"},
			err:  `HARDENED_NODE_ACCESS is "nfs": it must be "ssh"`,
		},
		{
			name: "invalid port",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvSSHPrivateKey: string(keyPEM), EnvSSHPort: "ssh"},
			err:  `HARDENED_SSH_PORT must be a port number 1-65535, not "ssh"`,
		},
		{
			name: "relative node root",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvNodeAccess: "local", EnvNodeRoot: "sim"},
			err:  `HARDENED_NODE_ROOT ("sim") must be an absolute path`,
		},
		{
			name:  "agent from the environment",
			env:   map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken, EnvSSHAgent: "1"},
			check: checkAgentDefaults(home),
		},
		{
			name: "per-node overrides",
			env:  map[string]string{EnvEndpoint: "https://[fd00::1]:8006", EnvAPIToken: testToken, EnvSSHAgent: "1"},
			vals: map[string]tftypes.Value{"ssh": sshObj(t, map[string]tftypes.Value{"port": n(2200),
				"nodes": tftypes.NewValue(schemaType(t).AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"], map[string]tftypes.Value{
					"pve2": obj(schemaType(t).AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"].(tftypes.Map).ElementType.(tftypes.Object),
						map[string]tftypes.Value{"address": s("10.0.0.2")}),
					"pve3": obj(schemaType(t).AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"].(tftypes.Map).ElementType.(tftypes.Object),
						map[string]tftypes.Value{"port": n(22)}),
				})})},
			check: checkPerNodeSSH,
		},
		{
			name: "ssh settings ignored in local mode",
			env:  map[string]string{EnvEndpoint: "https://pve:8006", EnvAPIToken: testToken},
			vals: map[string]tftypes.Value{"node_access": s("local"), "ssh": sshObj(t, map[string]tftypes.Value{"agent": b(true)})},
			warn: "SSH settings are ignored",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runResolveEnvCase(t, tc) })
	}
}

// checkAllFromEnv: the settings of "everything from the environment".
func checkAllFromEnv(keyPEM []byte) func(t *testing.T, s settings) {
	return func(t *testing.T, s settings) {
		want := settings{Endpoint: "https://pve.example.com:8006", EndpointHost: "pve.example.com", AuthMethod: "api_token",
			APIToken: testToken, NodeAccess: "ssh", NodeRoot: "/srv/sim"}
		if s.Endpoint != want.Endpoint || s.EndpointHost != want.EndpointHost || s.AuthMethod != want.AuthMethod ||
			s.APIToken != want.APIToken || s.NodeAccess != want.NodeAccess || s.NodeRoot != want.NodeRoot {
			t.Errorf("got %+v", s)
		}
		if s.SSH.User != "admin" || string(s.SSH.PrivateKey) != string(keyPEM) || s.SSH.KnownHostsFile != "/etc/kh" || s.SSH.Port != 2222 {
			t.Errorf("ssh: got user %q port %d known_hosts %q", s.SSH.User, s.SSH.Port, s.SSH.KnownHostsFile)
		}
		if h, p := s.sshAddr("pve2"); h != "pve.example.com" || p != 2222 {
			t.Errorf("ssh address of pve2: %s:%d", h, p)
		}
	}
}

// checkConfigWins: the settings of "config wins over the environment".
func checkConfigWins(keyPEM []byte, home string) func(t *testing.T, s settings) {
	return func(t *testing.T, s settings) {
		if s.Endpoint != "https://cfg:8006" || s.APIToken != testToken || s.SSH.Port != 22022 || s.SSH.User != "cfguser" ||
			s.SSH.KnownHostsFile != filepath.Join(home, "kh") || string(s.SSH.PrivateKey) != string(keyPEM) {
			t.Errorf("got %+v", s)
		}
	}
}

// checkAgentDefaults: the agent from the environment, with the default
// user, port and known_hosts file.
func checkAgentDefaults(home string) func(t *testing.T, s settings) {
	return func(t *testing.T, s settings) {
		if !s.SSH.Agent || s.SSH.User != "root" || s.SSH.Port != 22 || s.SSH.KnownHostsFile != filepath.Join(home, ".ssh/known_hosts") {
			t.Errorf("got %+v", s.SSH)
		}
	}
}

// checkPerNodeSSH: the SSH address of each node with per-node overrides.
func checkPerNodeSSH(t *testing.T, s settings) {
	for node, want := range map[string]string{"pve1": "fd00::1:2200", "pve2": "10.0.0.2:2200", "pve3": "fd00::1:22"} {
		h, p := s.sshAddr(node)
		if got := h + ":" + strconv.Itoa(p); got != want {
			t.Errorf("%s: got %s, want %s", node, got, want)
		}
	}
}

func runResolveEnvCase(t *testing.T, tc resolveEnvCase) {
	clearEnv(t)
	for k, v := range tc.env {
		t.Setenv(k, v)
	}
	var m providerModel
	if d := config(t, tc.vals).Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	st, diags := resolve(m, envLookup)
	text := diagText(diags)
	if strings.Contains(text, testToken) || strings.Contains(text, testPassword) || strings.Contains(text, "PRIVATE KEY") {
		t.Errorf("a diagnostic reveals a secret:\n%s", text)
	}
	if tc.err != "" {
		if !diags.HasError() || !strings.Contains(text, tc.err) {
			t.Fatalf("want an error with %q, got:\n%s", tc.err, text)
		}
		return
	}
	if diags.HasError() {
		t.Fatalf("unexpected error:\n%s", text)
	}
	if tc.warn != "" && (diags.WarningsCount() == 0 || !strings.Contains(text, tc.warn)) {
		t.Errorf("want a warning %q, got:\n%s", tc.warn, text)
	}
	if tc.warn == "" && diags.WarningsCount() > 0 {
		t.Errorf("unexpected warnings:\n%s", text)
	}
	if tc.check != nil {
		tc.check(t, st)
	}
}
