package provider

import (
	"os"
	"strings"
	"testing"
)

// TestGuideListsTheLeastPrivilegeRole: the real-cluster guide gives exactly
// the pveum commands built from LeastPrivilege (which the least-privilege
// acceptance test grants), and a table row for every grant.
func TestGuideListsTheLeastPrivilegeRole(t *testing.T) {
	raw, err := os.ReadFile("../../templates/guides/real-cluster.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(raw)
	start := strings.Index(guide, "```sh\npveum role add")
	if start < 0 {
		t.Fatal("the guide has no pveum block")
	}
	block := guide[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	want := strings.Join(PveumCommands("terraform@pve", "provider", LeastPrivilegeRoles()), "\n") + "\n"
	if block != want {
		t.Errorf("the guide's pveum commands:\n%s\nwant (from LeastPrivilege):\n%s", block, want)
	}
	var addOn []string
	for _, l := range PveumCommands("terraform@pve", "provider", LeastPrivilegeRoles("template downloads")) {
		if !strings.HasPrefix(l, "pveum user") {
			addOn = append(addOn, l)
		}
	}
	if !strings.Contains(guide, "```sh\n"+strings.Join(addOn, "\n")+"\n```") {
		t.Errorf("the guide lacks the template downloads add-on:\n%s", strings.Join(addOn, "\n"))
	}
	for _, g := range LeastPrivilege {
		feature := g.Feature
		if g.Optional {
			feature += " (optional)"
		}
		row := "| " + feature + " | `" + g.Path + "` | `" + strings.Join(g.Privs, "`, `") + "` |"
		if !strings.Contains(guide, row) {
			t.Errorf("the guide's table lacks the row %q", row)
		}
	}
}
