package policy

import (
	"fmt"
	"strings"
)

// Markdown is the rule guide (templates/guides/policy-rules.md.tmpl, which
// tfplugindocs copies to docs/guides/policy-rules.md): the baseline's
// defaults and every rule of the catalogue. It is generated from the
// catalogue so the guide cannot drift from the checks; it contains no
// "{{" (the file is a Go text/template for tfplugindocs).
func Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("---\n")
	w("page_title: \"Policy rule catalogue\"\n")
	w("subcategory: \"\"\n")
	w("description: |-\n")
	w("  The hardening rules every hardened_container is checked against: stable IDs, severities, rationale from the " +
		"seed documents, remedies, and the baseline's defaults.\n")
	w("---\n\n")
	w("# Policy rule catalogue\n\n")
	w("Every `hardened_container` is checked against a hardening baseline: the %d rules below, each with a stable ID\n", len(catalogue))
	w("(`HC-<AREA>-<NNN>`, never renumbered). The default baseline is the audit checklist of seed 000\n")
	w("(\"Hardening Linux Containers\"); an organisation can tighten or relax it with the settings below.\n\n")
	w("Each rule yields one finding per container:\n\n")
	w("* **pass**: the container complies (the finding says what was observed);\n")
	w("* **fail**: a plan-time error on the rule's attribute, with the rule ID, what was observed, why it matters and how to comply;\n")
	w("* **excepted**: the rule fails, but the container carries an exception for it (`rule` = the ID, `reason` = why); the reason is\n")
	w("  kept with the finding for review. An exception needs a non-empty reason, and rules in the baseline's `no_exceptions`\n")
	w("  cannot be excepted.\n\n")
	w("This page is generated from the provider's rule catalogue, so it always matches the checks.\n\n")

	w("## Baseline settings\n\n")
	w("| Setting | Default | Rule | Meaning |\n")
	w("|---------|---------|------|---------|\n")
	def := Default()
	for _, s := range settings {
		w("| `%s` | `%s` | %s | %s |\n", s.name, s.value(def), s.rule, md(s.doc))
	}
	w("\n")

	w("## Rules\n\n")
	w("| ID | Title | Severity | Attribute |\n")
	w("|----|-------|----------|-----------|\n")
	for _, r := range catalogue {
		w("| %s | %s | %s | `%s` |\n", r.ID, md(r.Title), r.Severity, r.Attribute)
	}
	for _, r := range catalogue {
		w("\n### %s: %s\n\n", r.ID, md(r.Title))
		w("* Severity: **%s**\n", r.Severity)
		w("* Attribute: `%s`\n", r.Attribute)
		if contains(def.NoExceptions, r.ID) {
			w("* Exceptions: not allowed by the default baseline\n")
		}
		w("\n**Rationale.** %s\n\n", md(r.Rationale))
		w("**Remedy.** %s\n", md(r.Remedy))
	}
	return b.String()
}

// md escapes text for Markdown outside code spans: < and > (HTML), and |
// (table cells).
func md(s string) string {
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 { // even parts are outside code spans
		parts[i] = strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", "\\|").Replace(parts[i])
	}
	return strings.Join(parts, "`")
}
