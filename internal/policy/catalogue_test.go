package policy

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestCatalogueWellFormed(t *testing.T) {
	idRE := regexp.MustCompile(`^HC-[A-Z]+-[0-9]{3}$`)
	seen := map[string]bool{}
	rs := Catalogue()
	for _, r := range rs {
		if !idRE.MatchString(r.ID) {
			t.Errorf("%q does not match %s", r.ID, idRE)
		}
		if seen[r.ID] {
			t.Errorf("duplicate rule ID %s", r.ID)
		}
		seen[r.ID] = true
		for name, v := range map[string]string{"Title": r.Title, "Rationale": r.Rationale, "Remedy": r.Remedy, "Attribute": r.Attribute, "why": r.why} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty %s", r.ID, name)
			}
		}
		if !strings.HasPrefix(r.Rationale, "Seed 0") {
			t.Errorf("%s: rationale does not start by citing a seed: %q", r.ID, r.Rationale)
		}
		if !strings.HasSuffix(r.Remedy, ".") || !strings.HasSuffix(r.why, ".") {
			t.Errorf("%s: remedy and why must be sentences ending in a period", r.ID)
		}
		switch r.Severity {
		case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow:
		default:
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
		if r.check == nil {
			t.Errorf("%s: no check", r.ID)
		}
		if got, ok := Lookup(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Lookup(%s) = %v, %v", r.ID, got.ID, ok)
		}
		if len(r.path()) == 0 {
			t.Errorf("%s: attribute %q gives an empty path", r.ID, r.Attribute)
		}
	}
	if !sort.SliceIsSorted(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID }) {
		t.Error("catalogue not ordered by ID")
	}
	for _, id := range []string{"HC-PRIV-001", "HC-AA-001", "HC-AA-002", "HC-SC-001", "HC-CAP-001", "HC-CG-001", "HC-CG-002",
		"HC-CG-003", "HC-CG-004", "HC-CG-005", "HC-NET-001", "HC-NET-002", "HC-FW-001", "HC-FW-002", "HC-FW-003", "HC-FW-004", "HC-FEAT-001",
		"HC-SEC-001", "HC-SEC-002", "HC-TAG-001", "HC-OPS-001", "HC-OPS-002", "HC-FS-001", "HC-CON-001", "HC-RUN-001"} {
		if !seen[id] {
			t.Errorf("rule %s missing from the catalogue", id)
		}
	}
	if _, ok := Lookup("HC-NOPE-001"); ok {
		t.Error("Lookup found an unknown ID")
	}
	// Catalogue returns a copy.
	rs[0].Title = "changed"
	if Catalogue()[0].Title == "changed" {
		t.Error("Catalogue shares its slice with the caller")
	}
}

func TestRulePath(t *testing.T) {
	for attr, want := range map[string][]any{
		"unprivileged":         {"unprivileged"},
		"capabilities.drop":    {"capabilities", "drop"},
		"network[*].bridge":    {"network"},
		"rootfs.mount_options": {"rootfs", "mount_options"},
	} {
		if got := (Rule{Attribute: attr}).path(); !reflect.DeepEqual(got, want) {
			t.Errorf("path(%q) = %v, want %v", attr, got, want)
		}
	}
}

// Every Baseline field is documented (in declaration order), and every
// setting a rule names exists.
func TestSettingsCoverBaseline(t *testing.T) {
	typ := reflect.TypeOf(Baseline{})
	if typ.NumField() != len(settings) {
		t.Fatalf("Baseline has %d fields, settings documents %d", typ.NumField(), len(settings))
	}
	names := map[string]bool{}
	for i, s := range settings {
		if typ.Field(i).Name != s.field {
			t.Errorf("settings[%d] is %s, Baseline field %d is %s", i, s.field, i, typ.Field(i).Name)
		}
		if !regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`).MatchString(s.name) || names[s.name] {
			t.Errorf("setting name %q is not unique snake case", s.name)
		}
		names[s.name] = true
		for _, id := range strings.Split(s.rule, ", ") {
			if _, ok := Lookup(id); id != "" && !ok {
				t.Errorf("setting %s names unknown rule %s", s.name, id)
			}
		}
		if s.doc == "" || s.value(Default()) == "" {
			t.Errorf("setting %s: empty doc or value", s.name)
		}
	}
}
