package policy

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/guide"
)

const guidePath = "../../templates/guides/policy-rules.md.tmpl"

// TestRulesGuideUpToDate keeps the rule guide equal to Markdown(); with
// HARDENED_UPDATE_GUIDES=1 it rewrites the guide.
func TestRulesGuideUpToDate(t *testing.T) {
	guide.Check(t, guidePath, "./internal/policy/", Markdown())
}

func TestMarkdown(t *testing.T) {
	md := Markdown()
	if strings.Contains(md, "{{") {
		t.Error("the guide contains {{, which tfplugindocs would read as a template action")
	}
	if !regexp.MustCompile("^---\npage_title: \"Policy rule catalogue\"\nsubcategory: \"\"\ndescription: \\|-\n  \\S.*\n---\n").MatchString(md) {
		t.Errorf("front matter:\n%s", md[:300])
	}
	for _, r := range catalogue {
		for _, want := range []string{"### " + r.ID + ": " + r.Title, "* Severity: **" + string(r.Severity) + "**", "* Attribute: `" + r.Attribute + "`"} {
			if !strings.Contains(md, want) {
				t.Errorf("guide lacks %q", want)
			}
		}
	}
	for _, s := range settings {
		if !strings.Contains(md, "| `"+s.name+"` | `"+s.value(Default())+"` |") {
			t.Errorf("guide lacks the setting %s", s.name)
		}
	}
	// No raw HTML: < and > only inside code spans.
	codeSpan := regexp.MustCompile("`[^`]*`")
	for i, line := range strings.Split(md, "\n") {
		if rest := codeSpan.ReplaceAllString(line, ""); strings.ContainsAny(rest, "<>") {
			t.Errorf("line %d has raw < or >: %s", i+1, line)
		}
	}
	if !strings.Contains(md, "`/proc/") && !strings.Contains(md, "/proc/&lt;pid&gt;/environ") {
		t.Error("the environ path is not escaped")
	}
}
