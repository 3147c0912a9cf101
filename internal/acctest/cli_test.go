package acctest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "internal", "acctest", "cli.go")); err != nil {
		t.Errorf("RepoRoot = %s: %v", root, err)
	}
}

func TestExecAndCleanEnv(t *testing.T) {
	t.Setenv("TF_CLI_ARGS_plan", "-refresh=false")
	t.Setenv("TF_DATA_DIR", "/elsewhere")
	t.Setenv("HARDENED_KEEP", "1")
	env := CleanEnv()
	if slices.ContainsFunc(env, func(kv string) bool {
		return strings.HasPrefix(kv, "TF_CLI_ARGS") || strings.HasPrefix(kv, "TF_DATA_DIR=")
	}) || !slices.Contains(env, "HARDENED_KEEP=1") {
		t.Errorf("CleanEnv kept a Terraform setting or dropped another variable")
	}

	stdout, stderr, err := Exec(t.TempDir(), []string{"X=given", "HARDENED_KEEP=2"}, "sh", "-c",
		`echo "$X $HARDENED_KEEP ${TF_DATA_DIR:-unset}"; echo oops >&2; exit 3`)
	if stdout != "given 2 unset\n" || stderr != "oops\n" || ExitCode(err) != 3 {
		t.Errorf("Exec: stdout %q, stderr %q, exit %d (%v)", stdout, stderr, ExitCode(err), err)
	}
	if _, _, err := Exec(t.TempDir(), nil, filepath.Join(t.TempDir(), "missing")); ExitCode(err) != -1 {
		t.Errorf("ExitCode of a command that did not run = %d (%v)", ExitCode(err), err)
	}
	if ExitCode(nil) != 0 {
		t.Error("ExitCode(nil) != 0")
	}
}
