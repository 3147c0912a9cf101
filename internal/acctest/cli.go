package acctest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file is the harness for tests that run the real Terraform CLI on
// configurations of their own (terraform init, plan, apply, show, output)
// with the provider built from this tree, as a user would: no
// terraform-plugin-testing, no provider in the test process.

// ModulePath is the provider's Go module path (the first line of its go.mod).
const ModulePath = "github.com/hardened-pve/terraform-provider-hardened"

// MirrorVersion is the provider version NewCLI builds into its mirror (a
// configuration's version constraint, if any, must allow it).
const MirrorVersion = "0.1.0"

// CommandTimeout bounds every command Run and CLI.Run start.
const CommandTimeout = 10 * time.Minute

// RepoRoot returns the provider module's root: the directory with its go.mod,
// found upwards from the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.HasPrefix(b, []byte("module "+ModulePath+"\n")) {
			return dir
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (the provider's go.mod) not found above the test's directory")
		}
		dir = parent
	}
}

// CleanEnv is the test process's environment without the Terraform settings
// that would change what the commands do (TF_CLI_ARGS*, TF_CLI_CONFIG_FILE,
// TF_DATA_DIR, TF_PLUGIN_CACHE_DIR, TF_REATTACH_PROVIDERS, TF_WORKSPACE).
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_CLI_ARGS") || slices.Contains([]string{"TF_CLI_CONFIG_FILE", "TF_DATA_DIR",
			"TF_PLUGIN_CACHE_DIR", "TF_REATTACH_PROVIDERS", "TF_WORKSPACE"}, k) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Exec runs name in dir with CleanEnv plus env (later entries win) and
// returns its standard output and standard error; err is the command's
// error (an *exec.ExitError for a non-zero exit). It is bounded by
// CommandTimeout.
func Exec(dir string, env []string, name string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(CleanEnv(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// Run is Exec failing the test (with both outputs) on an error; it returns
// the standard output.
func Run(t testing.TB, dir string, env []string, name string, args ...string) string {
	t.Helper()
	stdout, stderr, err := Exec(dir, env, name, args...)
	if err != nil {
		// stderr first and stdout's tail: CI logs cut long outputs in the
		// middle, and the error is what a reader needs
		t.Fatalf("%s %s (in %s): %v\nstderr:\n%s\nstdout (last %d bytes):\n%s", filepath.Base(name), strings.Join(args, " "), dir, err, stderr,
			min(len(stdout), stdoutTail), tail(stdout, stdoutTail))
	}
	return stdout
}

// stdoutTail is how much of a failed command's stdout Run reports.
const stdoutTail = 6000

// tail is s's last n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// GoTool returns the go command that runs the test (go test puts its own
// GOROOT/bin first on PATH).
func GoTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH to build the provider: %v", err)
	}
	return p
}

// CLI is the real Terraform CLI (TerraformCLI) set up to install the
// provider built from this tree, see NewCLI.
type CLI struct {
	// Path is the terraform (or tofu) binary.
	Path string
	// Env is what every command gets on top of CleanEnv: the CLI
	// configuration (TF_CLI_CONFIG_FILE) and no prompts, no checkpoint calls.
	Env []string
	// Mirror is the filesystem mirror holding the built provider.
	Mirror string
	// ConfigFile is the CLI configuration file.
	ConfigFile string
}

// NewCLI builds the provider from the repository into a filesystem mirror
// in a t.TempDir (as hardened-pve/hardened MirrorVersion, for this platform)
// and writes a CLI configuration that installs it from there, and only it:
// terraform init runs for real and nothing is downloaded, so configurations
// use `source = "hardened-pve/hardened"` exactly as users write it. (The CLI's
// dev_overrides, which examples/demo/demo.sh uses, would make terraform init
// fail: it still looks the overridden provider up in the registry.)
//
// It needs the Terraform CLI (TerraformCLI; call PreCheck first in an
// acceptance test) and the go command.
func NewCLI(t testing.TB) *CLI {
	t.Helper()
	tf, err := TerraformCLI()
	if err != nil {
		t.Fatal(err)
	}
	host := "registry.terraform.io"
	if strings.HasPrefix(filepath.Base(tf), "tofu") {
		host = "registry.opentofu.org"
	}
	work := t.TempDir()
	mirror := filepath.Join(work, "mirror")
	binary := filepath.Join(mirror, host, "hardened-pve", "hardened", MirrorVersion, runtime.GOOS+"_"+runtime.GOARCH,
		"terraform-provider-hardened_v"+MirrorVersion)
	start := time.Now()
	// plain go build flags: the packages are mostly in the build cache from go vet
	Run(t, RepoRoot(t), nil, GoTool(t), "build", "-o", binary, "-ldflags", "-X main.version="+MirrorVersion, ".")
	t.Logf("provider built in %s", time.Since(start).Round(time.Millisecond))
	rc := filepath.Join(work, "terraformrc")
	conf := "provider_installation {\n  filesystem_mirror {\n    path    = " + HCLString(mirror) +
		"\n    include = [\"hardened-pve/hardened\"]\n  }\n}\n"
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return &CLI{
		Path:       tf,
		Env:        []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0"},
		Mirror:     mirror,
		ConfigFile: rc,
	}
}

// Run runs the CLI with args in dir (plus env), failing the test on a
// non-zero exit, and returns its standard output.
func (c *CLI) Run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	return Run(t, dir, append(slices.Clone(c.Env), env...), c.Path, args...)
}

// Exec runs the CLI with args in dir (plus env) and returns its outputs and
// error without judging them (for commands expected to fail, or
// `plan -detailed-exitcode`: see ExitCode).
func (c *CLI) Exec(dir string, env []string, args ...string) (stdout, stderr string, err error) {
	return Exec(dir, append(slices.Clone(c.Env), env...), c.Path, args...)
}

// ExitCode is the exit code an Exec error stands for: 0 for nil, the
// process's code for an *exec.ExitError, -1 for anything else (the command
// did not run, or was killed).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// ReadFile returns p's content, failing the test when it cannot be read.
func ReadFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WriteFile writes s to p (0600), failing the test when it cannot.
func WriteFile(t testing.TB, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
