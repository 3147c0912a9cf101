package pvesim

import (
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

const (
	notDefined = "property is not defined in schema and the schema does not allow additional properties"
	missing    = "property is missing and it is not optional"
	unknownArg = "zz_not_in_schema"
)

// apidataPath finds ../shared/pve/apidata.json beside the repository (or
// $HARDENED_PVE_APIDATA). The conformance test fails, never skips, without it.
func apidataPath(t *testing.T) string {
	if p := os.Getenv("HARDENED_PVE_APIDATA"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "pve", "apidata.json")
		}
	}
	t.Fatal("repository root not found")
	return ""
}

func loadFullSchema(t *testing.T) *apischema.Schema {
	t.Helper()
	p := apidataPath(t)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("the conformance test needs the real PVE API schema: %v", err)
	}
	full, err := apischema.ParseAPIData(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	return full
}

// pathDefaults are valid values for path parameters.
var pathDefaults = map[string]string{
	"node": "pve1", "vmid": "100", "storage": "local", "name": "myset", "cidr": "10.0.0.1",
	"group": "grp1", "pos": "0", "id": "backup-1", "upid": "UPID:pve1:00001234:00005678:65000000:vzstart:100:root@pam:",
	"volume": "local:vztmpl/none.tar.zst",
}

func fillPath(tmpl string, override map[string]string) string {
	segs := strings.Split(tmpl, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			k := strings.Trim(s, "{}")
			v, ok := override[k]
			if !ok {
				v = pathDefaults[k]
			}
			segs[i] = url.PathEscape(v)
		}
	}
	return strings.Join(segs, "/")
}

func isPathParam(tmpl, name string) bool { return strings.Contains(tmpl, "{"+name+"}") }

func concreteName(name string) string { return strings.Replace(name, "[n]", "0", 1) }

// badValue returns a value that violates the parameter's constraints, or "" if
// the parameter has none we can violate.
func badValue(p *apischema.Param) (string, string) {
	switch {
	case len(p.Enum) > 0:
		return "not-in-enum", "enum"
	case p.Type == "boolean":
		return "maybe", "type"
	case p.Type == "integer" || p.Type == "number":
		if p.Maximum != nil {
			return strconv.FormatFloat(*p.Maximum+1, 'f', -1, 64), "maximum"
		}
		if p.Minimum != nil {
			return strconv.FormatFloat(*p.Minimum-1, 'f', -1, 64), "minimum"
		}
		return "abc", "type"
	case p.Dict != nil:
		return "zz_bogus_key=1", "property string"
	case p.MaxLength != nil:
		return strings.Repeat("a", *p.MaxLength+1), "maxLength"
	case p.MinLength != nil && *p.MinLength > 1:
		return "a", "minLength"
	case strings.Contains(p.Pattern, `\x00-\x08`):
		return "a\x01b", "pattern (control character)"
	case p.Pattern != "" || p.Format != "":
		return "bad value!", "format/pattern"
	}
	return "", ""
}

// TestConformanceWithRealSchema proves, for every method the simulator
// implements, that it accepts exactly the real schema's parameter names,
// requires the required ones and rejects a constraint-violating value of each
// constrained parameter; and that the embedded schema equals the real one.
func TestConformanceWithRealSchema(t *testing.T) {
	full := loadFullSchema(t)
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	if len(s.routes.routes) < 55 {
		t.Fatalf("only %d routes registered", len(s.routes.routes))
	}
	for _, rt := range s.routes.routes {
		t.Run(rt.method+" "+rt.template, func(t *testing.T) {
			fm := full.Method(rt.method, rt.template)
			if fm == nil {
				t.Fatalf("not in the real schema")
			}
			checkEmbeddedEqualsReal(t, fm, rt.schema)
			send := func(pathOverride map[string]string, params map[string]string) apiResp {
				p := fillPath(rt.template, pathOverride)
				if rt.template == "/access/ticket" {
					return callAuth(t, s, rt.method, p, params, "", nil)
				}
				return call(t, s, rt.method, p, params)
			}
			checkParamNamesAndRequired(t, rt.template, fm, send)
			checkBadValuesRefused(t, rt.template, fm, send)
		})
	}
	checkEveryEmbeddedMethodRouted(t, s)
}

// conformanceSend calls the method under test with path parameters
// overridden and (body or query) parameters.
type conformanceSend func(pathOverride map[string]string, params map[string]string) apiResp

// checkEmbeddedEqualsReal: the embedded schema of a method has the real
// schema's permissions, parameter names and constraints.
func checkEmbeddedEqualsReal(t *testing.T, fm, em *apischema.Method) {
	// the permission checks come from the embedded schema: a
	// schema.json generated without them would make every method
	// root@pam-only (go generate ./internal/pvesim/apischema/)
	if !reflect.DeepEqual(fm.Permissions, em.Permissions) {
		t.Fatalf("embedded permissions differ from the real schema: %+v, want %+v", em.Permissions, fm.Permissions)
	}
	if !reflect.DeepEqual(paramNames(fm), paramNames(em)) {
		t.Fatalf("embedded params differ:\nreal:     %v\nembedded: %v", paramNames(fm), paramNames(em))
	}
	for name, fp := range fm.Params {
		ep := em.Params[name]
		if fp.Optional != ep.Optional || fp.Type != ep.Type || !reflect.DeepEqual(fp.Enum, ep.Enum) ||
			!reflect.DeepEqual(fp.Minimum, ep.Minimum) || !reflect.DeepEqual(fp.Maximum, ep.Maximum) || fp.Format != ep.Format {
			t.Errorf("%s: embedded constraints differ from the real schema", name)
		}
	}
}

// checkParamNamesAndRequired: an unknown parameter is refused with PVE's
// message, every schema parameter name is known and the required ones are
// required.
func checkParamNamesAndRequired(t *testing.T, template string, fm *apischema.Method, send conformanceSend) {
	// an unknown parameter is refused with PVE's message
	r := send(nil, map[string]string{unknownArg: "1"})
	if r.Status != 400 || r.Errors[unknownArg] != notDefined {
		t.Fatalf("unknown parameter: %d %v", r.Status, r.Errors)
	}
	for name, p := range fm.Params {
		if isPathParam(template, name) {
			continue
		}
		cn := concreteName(name)
		// every schema parameter name is known
		r := send(nil, map[string]string{unknownArg: "1", cn: "x"})
		if r.Errors[cn] == notDefined {
			t.Errorf("%s: refused as unknown", cn)
		}
		// required parameters are required
		if !p.Optional {
			r := send(nil, map[string]string{unknownArg: "1"})
			if r.Errors[cn] != missing {
				t.Errorf("%s: required but missing gives %q", cn, r.Errors[cn])
			}
		}
	}
}

// checkBadValuesRefused: a constraint-violating value of each constrained
// parameter is refused.
func checkBadValuesRefused(t *testing.T, template string, fm *apischema.Method, send conformanceSend) {
	for _, name := range sortedParamNames(fm) {
		p := fm.Params[name]
		bad, kind := badValue(p)
		if bad == "" {
			continue
		}
		cn := concreteName(name)
		var r apiResp
		if isPathParam(template, name) {
			r = send(map[string]string{name: bad}, nil)
		} else {
			r = send(nil, map[string]string{cn: bad})
		}
		if r.Status != 400 || r.Errors[cn] == "" || r.Errors[cn] == notDefined {
			t.Errorf("%s=%q (%s) accepted: %d %q %v", cn, bad, kind, r.Status, r.Reason, r.Errors)
		}
	}
}

// checkEveryEmbeddedMethodRouted: every method of the embedded schema is
// routed (no schema kept for nothing).
func checkEveryEmbeddedMethodRouted(t *testing.T, s *Sim) {
	routed := map[string]bool{}
	for _, rt := range s.routes.routes {
		routed[rt.method+" "+rt.template] = true
	}
	for _, m := range apischema.Embedded().Methods() {
		if !routed[m.HTTPMethod+" "+m.Path] {
			t.Errorf("embedded schema method %s %s is not implemented", m.HTTPMethod, m.Path)
		}
	}
}

func paramNames(m *apischema.Method) []string { return sortedParamNames(m) }

func sortedParamNames(m *apischema.Method) []string {
	out := make([]string, 0, len(m.Params))
	for k := range m.Params {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
