package template_test

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

const res = "hardened_template.custom"

func config(env *acctest.Env, url, checksum, extra string) string {
	return env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_template" "custom" {
  node      = "pve1"
  file_name = "debian-12-custom_1.0-1_amd64.tar.zst"
  url       = %q
  checksum  = %q
}
`, url, checksum) + extra
}

// TestAccTemplateDownload: a wrong checksum fails the apply and PVE keeps
// nothing; the right one downloads the template, which a container then
// uses; a checksum that does not fit the algorithm fails the plan; import;
// a template deleted by hand is downloaded again; destroy removes the file.
func TestAccTemplateDownload(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	body := "ostype=debian\narch=amd64\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
	defer srv.Close()
	sum := sha512.Sum512([]byte(body))
	good, bad := hex.EncodeToString(sum[:]), strings.Repeat("ab", 64)
	env := acctest.StartSim(t)
	file := filepath.Join(env.DataDir, "var/lib/vz/template/cache/debian-12-custom_1.0-1_amd64.tar.zst")
	exists := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if _, err := os.Stat(file); (err == nil) != want {
				return fmt.Errorf("template file exists = %v, want %v: %w", err == nil, want, err)
			}
			return nil
		}
	}
	url := srv.URL + "/images/debian-12-custom.tar.zst"
	container := `
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 150
  hostname   = "web"
  ostemplate = hardened_template.custom.volid
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             exists(false),
		Steps: []resource.TestStep{
			{
				Config:      config(env, url, strings.Repeat("ab", 32), ""),
				ExpectError: regexp.MustCompile(`checksum has 64 hex digits; a sha512 checksum has 128`),
			},
			{
				Config:      config(env, url, bad, ""),
				ExpectError: regexp.MustCompile(`checksum mismatch: got '` + good + `' != expect\s+'` + bad + `'`),
			},
			{
				PreConfig: func() {
					if err := exists(false)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(env, url, good, container),
				Check: resource.ComposeTestCheckFunc(
					exists(true),
					resource.TestCheckResourceAttr(res, "volid", "local:vztmpl/debian-12-custom_1.0-1_amd64.tar.zst"),
					resource.TestCheckResourceAttr(res, "checksum_algorithm", "sha512"),
					resource.TestCheckResourceAttr("hardened_container.web", "ostemplate", "local:vztmpl/debian-12-custom_1.0-1_amd64.tar.zst"),
				),
			},
			{
				ResourceName: res, ImportState: true, ImportStateId: "pve1/local:vztmpl/debian-12-custom_1.0-1_amd64.tar.zst",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"url", "checksum", "checksum_algorithm"},
			},
			{
				// deleted by hand: downloaded again
				PreConfig: func() {
					if err := os.Remove(file); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(env, url, good, container),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)},
				},
				Check: exists(true),
			},
		},
	})
}
