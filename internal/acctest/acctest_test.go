package acctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHCLString(t *testing.T) {
	for in, want := range map[string]string{
		`/tmp/x`:        `"/tmp/x"`,
		`a"b\c`:         `"a\"b\\c"`,
		"${var.x} %{x}": `"$${var.x} %%{x}"`,
	} {
		if got := HCLString(in); got != want {
			t.Errorf("HCLString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFindCLI(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "terraform")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Setenv("TF_ACC_TERRAFORM_PATH", notExec)
	if _, err := findCLI(); err == nil || !strings.Contains(err.Error(), "is not an executable file") {
		t.Errorf("non-executable TF_ACC_TERRAFORM_PATH: %v", err)
	}

	t.Setenv("TF_ACC_TERRAFORM_PATH", "")
	t.Setenv("PATH", dir)
	if p, err := findCLI(); err != nil || p != fake || os.Getenv("TF_ACC_TERRAFORM_PATH") != fake {
		t.Errorf("terraform on PATH: %q %v (TF_ACC_TERRAFORM_PATH=%q)", p, err, os.Getenv("TF_ACC_TERRAFORM_PATH"))
	}

	t.Setenv("TF_ACC_TERRAFORM_PATH", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := findCLI(); err == nil || !strings.Contains(err.Error(), "never download") {
		t.Errorf("no CLI: %v", err)
	}

	tofu := filepath.Join(dir, "tofu")
	if err := os.WriteFile(tofu, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", tofu)
	t.Setenv("TF_ACC_PROVIDER_HOST", "")
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	if _, err := findCLI(); err != nil || os.Getenv("TF_ACC_PROVIDER_HOST") != "registry.opentofu.org" ||
		os.Getenv("TF_ACC_PROVIDER_NAMESPACE") != "hashicorp" {
		t.Errorf("tofu: %v host %q namespace %q", err, os.Getenv("TF_ACC_PROVIDER_HOST"), os.Getenv("TF_ACC_PROVIDER_NAMESPACE"))
	}
}

// TestEnv exercises the simulator helpers without Terraform.
func TestEnv(t *testing.T) {
	env := StartSim(t, WithNodes("pve1", "pve2"))
	if !strings.HasPrefix(env.Endpoint, "https://127.0.0.1:") || env.CAFile == "" || len(env.Nodes) != 2 {
		t.Fatalf("env: %+v", env)
	}
	if _, err := os.Stat(filepath.Join(env.DataDir, "etc/pve")); err != nil {
		t.Fatalf("data dir: %v", err)
	}
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("CTCount = %d on a new simulator", n)
	}
	if err := env.Call(t, "POST", "/nodes/pve2/lxc", "vmid", "120", "rootfs", "local-lvm:4",
		"ostemplate", "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"); err != nil {
		t.Fatal(err)
	}
	if n := env.CTCount(t); n != 1 {
		t.Fatalf("CTCount = %d after a create", n)
	}
	if err := env.Call(t, "POST", "/nodes/pve2/lxc/120/status/start"); err != nil {
		t.Fatal(err)
	}
	var st struct {
		Status string `json:"status"`
	}
	if err := env.CallJSON(t, "GET", "/nodes/pve2/lxc/120/status/current", &st); err != nil || st.Status != "running" {
		t.Fatalf("status after a waited start: %q %v", st.Status, err)
	}
	err := env.Call(t, "POST", "/nodes/pve2/lxc", "vmid", "120", "rootfs", "local-lvm:4",
		"ostemplate", "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate create: %v", err)
	}

	plain := StartSim(t, WithPlainHTTP())
	if !strings.HasPrefix(plain.Endpoint, "http://") || plain.CAFile != "" || plain.CTCount(t) != 0 {
		t.Fatalf("plain env: %+v", plain)
	}
	cfg := plain.ProviderConfigWith(ProviderOptions{Mode: "local", Auth: "ticket", Extra: "timeout_seconds = 5"})
	for _, want := range []string{`endpoint = "http://127.0.0.1:`, `username = "root@pam"`, `node_access = "local"`,
		`node_root = ` + HCLString(plain.DataDir), "timeout_seconds = 5\n}"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("provider config lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "ca_file") || strings.Contains(cfg, "api_token") {
		t.Errorf("unexpected settings:\n%s", cfg)
	}
}

func TestSSHDHarness(t *testing.T) {
	d := StartSSHD(t)
	if d.Port == 0 || len(d.ClientKeyPEM) == 0 || d.KnownHostsFile == "" || d.WrongKnownHostsFile == "" {
		t.Fatalf("sshd: %+v", d)
	}
	good, _ := os.ReadFile(d.KnownHostsFile)
	wrong, _ := os.ReadFile(d.WrongKnownHostsFile)
	host := strings.Fields(string(good))[0]
	if host != "[127.0.0.1]:"+strings.TrimPrefix(d.Addr(), "127.0.0.1:") || strings.Fields(string(wrong))[0] != host || string(good) == string(wrong) {
		t.Errorf("known_hosts files:\n%s\n%s", good, wrong)
	}
}
