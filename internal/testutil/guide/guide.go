// Package guide keeps a generated docs guide (templates/guides/*.md.tmpl,
// which tfplugindocs copies to docs/guides/) equal to the text the code
// generates, so the guide cannot go stale.
package guide

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// UpdateEnv, set to 1, makes Check rewrite the guide instead of comparing.
const UpdateEnv = "HARDENED_UPDATE_GUIDES"

// Check fails the test when the file at path differs from want (pkg is the
// package to name in the fix command, e.g. ./internal/policy/); with
// HARDENED_UPDATE_GUIDES=1 it writes want there instead. It also fails on
// "{{", which tfplugindocs would read as a template action.
func Check(t *testing.T, path, pkg, want string) {
	t.Helper()
	if strings.Contains(want, "{{") {
		t.Errorf("the guide contains {{, which tfplugindocs would read as a template action")
	}
	if os.Getenv(UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run %s=1 go test %s", err, UpdateEnv, pkg)
	}
	if string(got) != want {
		t.Fatalf("%s is stale: run %s=1 go test %s", path, UpdateEnv, pkg)
	}
}
