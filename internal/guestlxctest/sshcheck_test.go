package guestlxctest

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// noEffect is a hand edit the drop-in's Match all block leaves without
// effect: the real sshd has the policy in effect for every probe
// connection, offers a client keys only, and the plan is empty.
func noEffect(c ct, what string, change func(), cfg string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			change()
			logReal(c, "no effect ("+what+")")
		},
		Config:           cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		Check: resource.ComposeTestCheckFunc(inEffect(c, policy), func(*terraform.State) error {
			if m := methods(c); m != "publickey" {
				return fmt.Errorf("%s: the real sshd offers %q, want publickey", what, m)
			}
			return nil
		}),
	}
}

// logReal logs what the real sshd has in effect (sshd -T, and the
// connections where sshd -T -C differs from it), checks the model agrees,
// and returns it.
func logReal(c ct, what string) sshdconfig.Probed {
	c.t.Helper()
	onSSHD, err := c.realProbe()
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("%s: real sshd -T:\n%s", what, policyLines(string(sshdconfig.RenderT(onSSHD.Global))))
	var weak []string
	for _, conn := range onSSHD.Conns {
		if d := sshdconfig.Compare(policy, conn.Eff); len(d) > 0 {
			if len(weak) == 0 {
				c.t.Logf("  real sshd -T -C %s: %v", conn.Spec, d)
			}
			weak = append(weak, conn.Spec)
		}
	}
	c.t.Logf("  %d of %d probe connections differ from the policy on the real sshd", len(weak), len(onSSHD.Conns))
	modelAgrees(c, what, onSSHD)
	return onSSHD
}

// scriptAgrees runs the provider's probe script (sshdconfig.ProbeScript)
// in the container by hand (the container's busybox sh, the real sshd) and
// checks it reads back what sshd -T and sshd -T -C asked one by one have in
// effect; it logs how long the script takes.
func (c ct) scriptAgrees(p sshdconfig.Policy, onSSHD sshdconfig.Probed) error {
	start := time.Now()
	out, err := c.attach("/bin/sh", "-c", sshdconfig.ProbeScript)
	took := time.Since(start)
	probed, ok := sshdconfig.ParseProbe([]byte(out))
	switch {
	case err != nil:
		return fmt.Errorf("the probe script in the container: %w %q", err, out)
	case !ok:
		return fmt.Errorf("the probe script's output in the container: %q", out)
	}
	a, b := fmt.Sprint(sshdconfig.Compare(p, probed.Weakest())), fmt.Sprint(sshdconfig.Compare(p, onSSHD.Weakest()))
	if a != b || len(probed.Conns) != len(onSSHD.Conns) || string(probed.Banner) != string(onSSHD.Banner) {
		return fmt.Errorf("the probe script reads %s (%d connections), sshd asked by hand %s (%d)", a, len(probed.Conns), b, len(onSSHD.Conns))
	}
	c.t.Logf("the provider's probe script in the container: sshd -T and %d sshd -T -C, %d bytes of output, %v", len(probed.Conns), len(out),
		took.Round(time.Millisecond))
	return nil
}

// modelAgrees: the provider's model of sshd's rules, run on the
// container's files, gives what the real sshd -T, and sshd -T -C for each
// probe connection, gives for every keyword of the policy.
func modelAgrees(c ct, what string, onSSHD sshdconfig.Probed) {
	c.t.Helper()
	for _, conn := range append([]sshdconfig.ConnEff{{Spec: "", Eff: onSSHD.Global}}, onSSHD.Conns...) {
		spec := sshdconfig.Conn{}
		if conn.Spec != "" {
			var err error
			if spec, err = sshdconfig.ParseSpec(conn.Spec); err != nil {
				c.t.Fatal(err)
			}
		}
		model, errs := sshdconfig.EffectiveFor(c.files(), spec)
		if len(errs) > 0 {
			c.t.Fatalf("%s: the model refuses what sshd accepts: %v", what, errs)
		}
		for k := range policy.Want() {
			m, r := model[k], conn.Eff[k]
			if k == "allowusers" {
				m, r = sorted(sshdconfig.Users(model)), sorted(sshdconfig.Users(conn.Eff))
			}
			if strings.Join(m, " ") != strings.Join(r, " ") {
				c.t.Errorf("%s: -C %q: %s: internal/sshdconfig says %q, the real sshd -T %q", what, conn.Spec, k, m, r)
			}
		}
	}
}
