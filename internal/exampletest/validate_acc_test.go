package exampletest_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// TestAccExamplesValidate runs `terraform init` and `terraform validate` in
// every directory of examples/ that holds .tf files, each on its own, as a
// user who copies one would: the documentation's snippets (with the small
// versions.tf or variables.tf beside them that make a directory stand alone)
// as much as the modules and the demo. The provider comes from NewCLI's
// filesystem mirror, so nothing is downloaded, and a copy of examples/ is
// used, so the repository gets no .terraform directories or lock files. A
// configuration that reads a file (file(), templatefile()) outside its own
// directory fails here: the copy has nothing outside examples/.
func TestAccExamplesValidate(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the Terraform CLI: set TF_ACC=1 (make test-examples)")
	}
	t.Parallel()
	root := acctest.RepoRoot(t)
	cli := acctest.NewCLI(t)
	examples := filepath.Join(t.TempDir(), "examples")
	copyDir(t, filepath.Join(root, "examples"), examples)

	var dirs []string
	err := filepath.WalkDir(examples, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tf") && !slices.Contains(dirs, filepath.Dir(p)) {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 10 {
		t.Fatalf("found only %d example directories in %s: %q", len(dirs), examples, dirs)
	}
	for _, dir := range dirs {
		rel, err := filepath.Rel(examples, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			// no provider configuration is needed to validate; no variable
			// values either
			cli.Run(t, dir, nil, "init", "-backend=false", "-input=false", "-no-color")
			out := cli.Run(t, dir, nil, "validate", "-no-color")
			if !strings.Contains(out, "The configuration is valid") {
				t.Errorf("%s: terraform validate:\n%s", rel, out)
			}
		})
	}
}
