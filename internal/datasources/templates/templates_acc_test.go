package templates_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

const debian = `
data "hardened_templates" "debian" {
  node = "pve1"
  os   = "debian"
}

data "hardened_templates" "debian12" {
  node    = "pve1"
  storage = "local"
  os      = "debian"
  version = "12"
  arch    = "amd64"
}

data "hardened_templates" "all" {
  node       = "pve1"
  name_regex = "^(alpine|ubuntu)-"
}
`

// TestAccTemplates: the simulator's preloaded templates (PVE's appliance
// names), filtered by OS, version, architecture and file name, newest first;
// a newer template uploaded later becomes latest; a container pins its
// template through latest.
func TestAccTemplates(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := env.ProviderConfig("local") + debian
	const d, d12, all = "data.hardened_templates.debian", "data.hardened_templates.debian12", "data.hardened_templates.all"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(d, "templates.#", "2"),
					resource.TestCheckResourceAttr(d, "latest", "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst"),
					resource.TestCheckResourceAttr(d, "templates.1.volid", "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"),
					resource.TestCheckResourceAttr(d, "templates.0.version", "13"),
					resource.TestCheckResourceAttr(d, "templates.0.release", "13.1-2"),
					resource.TestCheckResourceAttr(d, "templates.0.variant", "standard"),
					resource.TestCheckResourceAttr(d12, "latest", "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"),
					resource.TestCheckResourceAttr(d12, "templates.#", "1"),
					resource.TestCheckResourceAttr(all, "templates.#", "2"),
					resource.TestCheckResourceAttr(all, "templates.0.os", "alpine"),
					resource.TestCheckResourceAttr(all, "templates.1.os", "ubuntu"),
				),
			},
			{
				// a newer debian 13 build uploaded: it is latest now, and a container pins it
				PreConfig: func() {
					p := filepath.Join(env.DataDir, "var/lib/vz/template/cache/debian-13-standard_13.2-1_amd64.tar.zst")
					if err := os.WriteFile(p, []byte("ostype=debian\narch=amd64\n"), 0o644); err != nil { //nolint:gosec // a template, world-readable like PVE's
						t.Fatal(err)
					}
				},
				Config: cfg + `
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 150
  hostname   = "web"
  ostemplate = data.hardened_templates.debian.latest
}
`,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(d, "templates.#", "3"),
					resource.TestCheckResourceAttr(d, "latest", "local:vztmpl/debian-13-standard_13.2-1_amd64.tar.zst"),
					resource.TestCheckResourceAttr("hardened_container.web", "ostemplate", "local:vztmpl/debian-13-standard_13.2-1_amd64.tar.zst"),
				),
			},
			{
				Config:      env.ProviderConfig("local") + "data \"hardened_templates\" \"bad\" {\n  node       = \"pve1\"\n  name_regex = \"(\"\n}\n",
				ExpectError: regexp.MustCompile(`name_regex "\(" is not an RE2 regular expression`),
			},
		},
	})
}

// TestAccTemplatesPermission: listing needs Datastore.Audit or
// Datastore.AllocateSpace on the storage; without, PVE's 403 names both.
func TestAccTemplatesPermission(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	if err := env.Sim.AddUserConfig("user:viewer@pve:1:0::::::"); err != nil {
		t.Fatal(err)
	}
	secret, err := env.Sim.AddToken("viewer@pve!tf", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.AddUserConfig("acl:1:/vms:viewer@pve:PVEAuditor:"); err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(env.ProviderConfig("local"), env.Token, "viewer@pve!tf="+secret, 1) + `data "hardened_templates" "d" { node = "pve1" }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`Permission check failed\s+\(/storage/local,\s+Datastore\.Audit\|Datastore\.AllocateSpace\)`),
		}},
	})
}
