// Package acctest is the shared acceptance-test harness: the provider
// factories, the Terraform CLI discovery, the PVE simulator (StartSim), a
// real OpenSSH sshd (StartSSHD) for the SSH node channel, and the real
// Terraform CLI with the provider built from this tree in a filesystem
// mirror (NewCLI, Run, Exec in cli.go) for tests of whole configurations.
//
// Acceptance tests run only with TF_ACC set (make testacc, make test) and
// never download a Terraform CLI: they use TF_ACC_TERRAFORM_PATH, else the
// `terraform` (or `tofu`) found on PATH, else they fail with an explanation.
package acctest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/hardened-pve/terraform-provider-hardened/internal/provider"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = provider.TypeName

// ProtoV6ProviderFactories runs the provider in the test process for
// terraform-plugin-testing's resource.TestCase.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: providerserver.NewProtocol6WithError(provider.New("test", provider.WithConfigureHook(track))()),
}

// PreCheck skips the test unless TF_ACC is set, and makes sure a Terraform
// CLI is available (failing the test with an explanation otherwise).
func PreCheck(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make testacc)")
	}
	if _, err := TerraformCLI(); err != nil {
		t.Fatal(err)
	}
	// the provider compiles every generated AppArmor profile on the "node"
	// (this machine, apparmor_load = "check") with LXC's abstractions
	require.Tool(t, "apparmor_parser", "apt-get install apparmor lxc")
	if _, err := os.Stat("/etc/apparmor.d/abstractions/lxc/container-base"); err != nil {
		require.SkipOrFail(t, "apparmor_parser", "LXC's AppArmor abstractions are missing (apt-get install lxc): %v", err)
	}
}

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// TerraformCLI finds the Terraform CLI the tests use and exports it as
// TF_ACC_TERRAFORM_PATH, so that terraform-plugin-testing never tries to
// download one: TF_ACC_TERRAFORM_PATH if set, else `terraform` on PATH, else
// `tofu` on PATH (then TF_ACC_PROVIDER_HOST and TF_ACC_PROVIDER_NAMESPACE
// are set for OpenTofu's registry unless already set).
func TerraformCLI() (string, error) {
	cliOnce.Do(func() { cliPath, cliErr = findCLI() })
	return cliPath, cliErr
}

func findCLI() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if st, err := os.Stat(abs); err != nil || st.IsDir() || st.Mode()&0o111 == 0 { //nolint:gosec // the test runner's own setting
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s is not an executable file; point it at a terraform (>= 1.5.7) or tofu binary", p)
		}
		if abs != p {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", abs)
		}
		setOpenTofuDefaults(abs)
		return abs, nil
	}
	for _, name := range []string{"terraform", "tofu"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if p, err = filepath.Abs(p); err != nil {
			return "", err
		}
		if err := os.Setenv("TF_ACC_TERRAFORM_PATH", p); err != nil {
			return "", err
		}
		setOpenTofuDefaults(p)
		return p, nil
	}
	return "", errors.New("no Terraform CLI for the acceptance tests: put terraform (>= 1.5.7) on PATH " +
		"(or `go install github.com/hashicorp/terraform@v1.5.7`), or set TF_ACC_TERRAFORM_PATH to its binary; " +
		"the tests never download one")
}

func setOpenTofuDefaults(p string) {
	if !strings.HasPrefix(filepath.Base(p), "tofu") {
		return
	}
	if os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	}
}

// The node channels of every provider instance the tests configure, by
// node_root, so that a test's SSH connections are closed when it ends
// (before its sshd stops). terraform-plugin-testing runs one provider
// instance per Terraform command and never tells it to shut down.
var tracked = struct {
	mu     sync.Mutex
	byRoot map[string][]*providerdata.NodeChannels
}{byRoot: map[string][]*providerdata.NodeChannels{}}

func track(root string, c *providerdata.Clients) {
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	tracked.byRoot[root] = append(tracked.byRoot[root], c.Nodes)
}

// CloseNodeChannels closes the node channels of every provider instance
// configured with node_root root.
func CloseNodeChannels(root string) {
	tracked.mu.Lock()
	list := tracked.byRoot[root]
	delete(tracked.byRoot, root)
	tracked.mu.Unlock()
	for _, n := range list {
		_ = n.Close()
	}
}
