package container_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

const (
	goodKey   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOSTXSFUXQwWfmaepR0ae0VyxP0x72M5nGD+Gq7thfSs admin@example"
	debianTpl = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
)

// badInput is one configuration PVE would refuse: body is the resource
// block's body (one attribute per line), want the diagnostic's summary and
// attr the attribute path the diagnostic must be on. For a top-level
// attribute Terraform shows its configuration line (a diagnostic on the
// block would show the resource line instead); inside an object or a list
// Terraform shows the resource line, so the text names the path.
type badInput struct {
	name, body, want, attr string
}

func (c badInput) at(path string) badInput { c.attr = path; return c }

func (c badInput) pattern() *regexp.Regexp {
	if strings.ContainsAny(c.attr, ".[") {
		return regexp.MustCompile(`(?s)` + c.want + `.*?` + regexp.QuoteMeta(c.attr))
	}
	return regexp.MustCompile(`(?s)` + c.want + `.*?\d+:\s+` + regexp.QuoteMeta(c.attr) + `\s*=`)
}

func inputConfig(env *acctest.Env, body string) string {
	if !strings.Contains(body, "vmid =") {
		body = "  vmid = 160\n" + body
	}
	return env.ProviderConfig("local") + `
resource "hardened_container" "bad" {
  node = "pve1"
` + body + `
}
`
}

// base is the part of a valid configuration a case does not replace.
func base(hostname, ostemplate bool) string {
	var b strings.Builder
	if hostname {
		b.WriteString("  hostname = \"bad\"\n")
	}
	if ostemplate {
		fmt.Fprintf(&b, "  ostemplate = %q\n", debianTpl)
	}
	return b.String()
}

// nic is a network block with one interface, each attribute on its own line.
func nic(attrs ...string) string {
	lines := []string{`name = "eth0"`, `bridge = "vmbr0"`}
	for _, a := range attrs {
		k, _, _ := strings.Cut(a, " ")
		for i, l := range lines {
			if strings.HasPrefix(l, k+" ") {
				lines = append(lines[:i], lines[i+1:]...)
				break
			}
		}
		lines = append(lines, a)
	}
	return "  network = [{\n    " + strings.Join(lines, "\n    ") + "\n  }]"
}

func badInputs() []badInput {
	attr := func(name, line, want string) badInput {
		k, _, _ := strings.Cut(line, " ")
		return badInput{name: name, body: base(k != "hostname", k != "ostemplate") + "  " + line, want: want, attr: k}
	}
	net := func(name, want, key string, attrs ...string) badInput {
		return badInput{name: name, body: base(true, true) + nic(attrs...), want: want, attr: "network[0]." + key}
	}
	const (
		tz     = `Invalid time zone`
		ns     = `Invalid name server`
		sd     = `Invalid search domain`
		key    = `Invalid SSH public key`
		host   = `Invalid hostname`
		tpl    = `Invalid template volume`
		value  = `Invalid Attribute Value`
		length = `Invalid Attribute Value Length`
	)
	long := strings.Repeat("a", 9000)
	cs := []badInput{
		// timezone: a zone of zone.tab, UTC or host, nothing else
		attr("tz traversal", `timezone = "../../../etc/shadow"`, tz),
		attr("tz newline", `timezone = "Europe/Berlin\n"`, tz),
		attr("tz newline inside", `timezone = "Europe/Berlin\nnameserver 6.6.6.6"`, tz),
		attr("tz absolute", `timezone = "/usr/share/zoneinfo/UTC"`, tz),
		attr("tz link", `timezone = "US/Eastern"`, tz),
		attr("tz etc", `timezone = "Etc/GMT+1"`, tz),
		attr("tz case", `timezone = "europe/berlin"`, tz),
		attr("tz space", `timezone = "Europe/Berlin "`, tz),
		attr("tz made up", `timezone = "Mars/Olympus_Mons"`, tz),
		attr("tz empty", `timezone = ""`, length),
		// nameservers: one IP address per element
		attr("ns semicolon", `nameservers = ["1.1.1.1;rm"]`, ns).at("nameservers[0]"),
		attr("ns two in one", `nameservers = ["1.1.1.1 8.8.8.8"]`, ns).at("nameservers[0]"),
		attr("ns newline", `nameservers = ["10.0.20.53", "1.1.1.1\n8.8.8.8"]`, ns).at("nameservers[1]"),
		attr("ns comma", `nameservers = ["1.1.1.1,8.8.8.8"]`, ns).at("nameservers[0]"),
		attr("ns name", `nameservers = ["dns.example.com"]`, ns).at("nameservers[0]"),
		attr("ns octet", `nameservers = ["300.1.1.1"]`, ns).at("nameservers[0]"),
		attr("ns cidr", `nameservers = ["10.0.20.53/24"]`, ns).at("nameservers[0]"),
		attr("ns zone", `nameservers = ["fd00::53%eth0"]`, ns).at("nameservers[0]"),
		attr("ns empty element", `nameservers = [""]`, ns).at("nameservers[0]"),
		attr("ns empty list", `nameservers = []`, `Invalid Attribute Value`),
		// searchdomain: DNS names separated by single spaces
		attr("sd semicolon", `searchdomain = "example.com;corp.example.com"`, sd),
		attr("sd newline", `searchdomain = "example.com\nnameserver 6.6.6.6"`, sd),
		attr("sd comma", `searchdomain = "example.com,corp.example.com"`, sd),
		attr("sd underscore", `searchdomain = "bad_name.example.com"`, sd),
		attr("sd leading hyphen", `searchdomain = "-corp.example.com"`, sd),
		attr("sd double space", `searchdomain = "a.example  b.example"`, sd),
		attr("sd tab", `searchdomain = "a.example\tb.example"`, sd),
		attr("sd empty", `searchdomain = ""`, length),
		// ssh_public_keys: one parsed key per element
		attr("key embedded newline", `ssh_public_keys = ["`+goodKey+`\nssh-ed25519 AAAA"]`, key).at("ssh_public_keys[0]"),
		attr("key two in one", `ssh_public_keys = ["`+goodKey+`\n`+goodKey+`"]`, key).at("ssh_public_keys[0]"),
		attr("key second bad", `ssh_public_keys = ["`+goodKey+`", "ssh-ed25519 AAAA"]`, key).at("ssh_public_keys[1]"),
		attr("key truncated", `ssh_public_keys = ["`+goodKey[:60]+`"]`, key).at("ssh_public_keys[0]"),
		attr("key not base64", `ssh_public_keys = ["ssh-rsa !!!notbase64!!!"]`, key).at("ssh_public_keys[0]"),
		attr("key words", `ssh_public_keys = ["not a key"]`, key).at("ssh_public_keys[0]"),
		attr("key private", `ssh_public_keys = ["-----BEGIN OPENSSH PRIVATE KEY-----"]`, key).at("ssh_public_keys[0]"),
		attr("key empty", `ssh_public_keys = [""]`, key).at("ssh_public_keys[0]"),
		attr("key comment", `ssh_public_keys = ["# admin key"]`, key).at("ssh_public_keys[0]"),
		attr("key type only", `ssh_public_keys = ["ssh-ed25519"]`, key).at("ssh_public_keys[0]"),
		// description: PVE's maxLength
		attr("description 9000", `description = "`+long+`"`, `Description too long`),
		attr("description 8193", `description = "`+long[:8193]+`"`, `Description too long`),
		attr("description multibyte", `description = "`+strings.Repeat("ä", 4097)+`"`, `Description too long`),
		// hostname: PVE's dns-name, at most 255 characters
		attr("hostname underscore", `hostname = "web_01"`, host),
		attr("hostname leading hyphen", `hostname = "-web"`, host),
		attr("hostname trailing hyphen", `hostname = "web-"`, host),
		attr("hostname empty label", `hostname = "web..example"`, host),
		attr("hostname newline", `hostname = "web\nevil"`, host),
		attr("hostname space", `hostname = "web 01"`, host),
		attr("hostname long", `hostname = "`+strings.Repeat("a.", 128)+`a"`, host),
		attr("hostname empty", `hostname = ""`, length),
		// ostemplate: <storage>:vztmpl/<file>
		attr("tpl iso", `ostemplate = "local:iso/debian-12.iso"`, tpl),
		attr("tpl path", `ostemplate = "/var/lib/vz/template/cache/debian.tar.zst"`, tpl),
		attr("tpl bare", `ostemplate = "debian-12-standard_12.12-1_amd64.tar.zst"`, tpl),
		attr("tpl traversal", `ostemplate = "local:vztmpl/../../etc/shadow"`, tpl),
		attr("tpl space", `ostemplate = "local:vztmpl/debian 12.tar.zst"`, tpl),
		attr("tpl newline", `ostemplate = "local:vztmpl/debian.tar.zst\n"`, tpl),
		attr("tpl storage", `ostemplate = "1local:vztmpl/debian.tar.zst"`, tpl),
		attr("tpl long", `ostemplate = "local:vztmpl/`+strings.Repeat("a", 250)+`.tar.zst"`, tpl),
		// numbers: apidata.json's minimum/maximum
		attr("cpu_limit negative", `cpu_limit = -1`, value),
		attr("cpu_limit fraction", `cpu_limit = -0.5`, value),
		attr("cpu_limit max", `cpu_limit = 8193`, value),
		attr("cores zero", `cores = 0`, value),
		attr("cores max", `cores = 8193`, value),
		attr("cpu_units zero", `cpu_units = 0`, value),
		attr("cpu_units max", `cpu_units = 10001`, value),
		attr("memory small", `memory = 15`, value),
		attr("memory negative", `memory = -1`, value),
		attr("swap negative", `swap = -1`, value),
		attr("tty negative", `tty = -1`, value),
		attr("tty max", `tty = 7`, value),
		attr("vmid small", `vmid = 99`, value),
		attr("vmid large", `vmid = 1000000000`, value),
		attr("pids_max small", `pids_max = 5`, value),
		attr("task timeout", `task_timeout_seconds = 5`, value),
		attr("root_password short", `root_password = "abc"`, length),
		attr("arch", `arch = "sparc"`, value),
		attr("console_mode", `console_mode = "root"`, value),
		attr("tag", `tags = ["bad tag"]`, `Invalid tag`),
		attr("startup order", `startup = { order = 0 }`, value).at("startup.order"),
		// network: one attribute per line, the diagnostic on the nested attribute
		net("rate negative", value, "rate_mbps", `rate_mbps = -1`),
		net("rate zero", value, "rate_mbps", `rate_mbps = 0`),
		net("rate fraction", value, "rate_mbps", `rate_mbps = -0.001`),
		net("mtu small", value, "mtu", `mtu = 63`),
		net("mtu large", value, "mtu", `mtu = 65536`),
		net("vlan zero", value, "vlan", `vlan = 0`),
		net("vlan large", value, "vlan", `vlan = 4095`),
		net("ipv4 no prefix", `Invalid IP configuration`, "ipv4", `ipv4 = "10.0.20.15"`),
		net("ipv4 v6", `Invalid IP configuration`, "ipv4", `ipv4 = "fd00::15/64"`),
		net("ipv4 keyword", `Invalid IP configuration`, "ipv4", `ipv4 = "auto"`),
		net("ipv6 v4", `Invalid IP configuration`, "ipv6", `ipv6 = "10.0.20.15/24"`),
		net("gateway outside", `Gateway outside`, "ipv4_gateway", `ipv4 = "10.0.20.15/24"`, `ipv4_gateway = "10.0.30.1"`),
		net("gateway dhcp", `Gateway needs a static address`, "ipv4_gateway", `ipv4 = "dhcp"`, `ipv4_gateway = "10.0.20.1"`),
		net("gateway not ip", `Invalid gateway`, "ipv4_gateway", `ipv4 = "10.0.20.15/24"`, `ipv4_gateway = "router"`),
		net("mac multicast", `Invalid MAC address`, "mac", `mac = "01:00:5E:00:00:01"`),
		net("nic name", `Invalid interface name`, "name", `name = "eth 0"`),
		net("bridge name", `Invalid bridge name`, "bridge", `bridge = "vmbr0;x"`),
	}
	return cs
}

// TestAccContainerBadInputs: every input PVE would refuse fails the plan on
// its attribute, and nothing is created (issue #12).
func TestAccContainerBadInputs(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cases := badInputs()
	if len(cases) < 80 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: inputConfig(env, c.body), PlanOnly: true, ExpectError: c.pattern()})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("%d containers exist after plan-time errors", n)
	}
}

// simpleConfig is a valid container named r with vmid; extra goes into its block.
func simpleConfig(env *acctest.Env, r string, vmid int, extra string) string {
	return env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_container" %q {
  node       = "pve1"
  vmid       = %d
  hostname   = %q
  ostemplate = %q
%s
}
`, r, vmid, r, debianTpl, extra)
}

// TestAccContainerInvalidKeyNoReplace: an invalid SSH key on an existing
// container would force a replacement that PVE then refuses; the plan fails
// instead, and the running container is untouched.
func TestAccContainerInvalidKeyNoReplace(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	const r = "hardened_container.keyed"
	valid := simpleConfig(env, "keyed", 161, `  ssh_public_keys = ["`+goodKey+`"]`)
	invalid := simpleConfig(env, "keyed", 161, `  ssh_public_keys = ["`+goodKey+`\nssh-ed25519 AAAA"]`)
	var mac string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: valid, Check: func(s *terraform.State) error {
				mac = s.RootModule().Resources[r].Primary.Attributes["network.0.mac"]
				return nil
			}},
			{Config: invalid, ExpectError: regexp.MustCompile(`(?s)Invalid SSH public key.*ssh_public_keys\[0\]: .*line break`)},
			{Config: valid, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(r, "vmid", "161"),
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[r].Primary.Attributes["network.0.mac"]; got != mac {
							return fmt.Errorf("the container was recreated: MAC %q, was %q", got, mac)
						}
						if n := env.CTCount(t); n != 1 {
							return fmt.Errorf("%d containers, want the one that was there", n)
						}
						return nil
					})},
		},
	})
}

// TestAccContainerFleetGateway: a static address that is unknown while the
// configuration is validated (count.index) or planned (another resource's
// attribute) plus a gateway plans and applies; the gateway check runs when
// the address is known.
func TestAccContainerFleetGateway(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := env.ProviderConfig("local") + fmt.Sprintf(`
resource "terraform_data" "addr" {
  input = "10.0.20.30/24"
}

resource "hardened_container" "fleet" {
  count      = 2
  node       = "pve1"
  vmid       = 170 + count.index
  hostname   = "fleet-${count.index}"
  ostemplate = %q
  network = [{
    name         = "eth0"
    bridge       = "vmbr0"
    ipv4         = "10.0.20.${count.index + 10}/24"
    ipv4_gateway = "10.0.20.1"
  }]
}

resource "hardened_container" "late" {
  node       = "pve1"
  vmid       = 172
  hostname   = "late"
  ostemplate = %q
  network = [{
    name         = "eth0"
    bridge       = "vmbr0"
    ipv4         = terraform_data.addr.output
    ipv4_gateway = "10.0.20.1"
  }]
}
`, debianTpl, debianTpl)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("hardened_container.fleet[1]", tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ipv4"), knownvalue.StringExact("10.0.20.11/24")),
				statecheck.ExpectKnownValue("hardened_container.late", tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ipv4"), knownvalue.StringExact("10.0.20.30/24")),
			}}},
	})
	// a known address that cannot have a gateway still fails the plan
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: strings.Replace(cfg, `"10.0.20.${count.index + 10}/24"`, `"dhcp"`, 1), PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Gateway needs a static address.*network\[0\]\.ipv4_gateway`)}},
	})
}

// TestAccContainerWriteOnlyPassword: root_password_wo reaches the create but
// never the plan or the state; its version replaces the container.
func TestAccContainerWriteOnlyPassword(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	const r = "hardened_container.wo"
	cfg := func(pw string, version int) string {
		return simpleConfig(env, "wo", 162, fmt.Sprintf("  root_password_wo = %q\n  root_password_wo_version = %d", pw, version))
	}
	notInState := func(secret string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for name, rs := range s.RootModule().Resources {
				for k, v := range rs.Primary.Attributes {
					if strings.Contains(v, secret) {
						return fmt.Errorf("the password is in the state: %s.%s", name, k)
					}
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg("wo-s3cret-1", 1), Check: notInState("wo-s3cret-1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(r, tfjsonpath.New("root_password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(r, tfjsonpath.New("root_password_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(r, tfjsonpath.New("root_password"), knownvalue.Null()),
				}},
			// a new password alone is invisible to Terraform: nothing to do
			{Config: cfg("wo-s3cret-2", 1), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			// with a new version the container is created again with it
			{Config: cfg("wo-s3cret-2", 2), Check: notInState("wo-s3cret-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(r, plancheck.ResourceActionDestroyBeforeCreate)}}},
			{Config: cfg("abc", 3), ExpectError: regexp.MustCompile(`(?s)root_password_wo.*at least 5`)},
			{Config: simpleConfig(env, "wo", 162, "  root_password_wo = \"wo-s3cret-2\"\n  root_password = \"s3cret-pw\""),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*root_password`)},
			{Config: simpleConfig(env, "wo", 162, "  root_password_wo_version = 4"),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*root_password_wo`)},
			// refused plans changed nothing
			{Config: cfg("wo-s3cret-2", 2), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
