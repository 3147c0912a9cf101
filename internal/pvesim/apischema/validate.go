package apischema

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PVE's JSONSchema.pm messages.
const (
	MsgNotDefined = "property is not defined in schema and the schema does not allow additional properties"
	MsgMissing    = "property is missing and it is not optional"
)

var (
	integerRE = regexp.MustCompile(`^[+-]?\d+$`)
	numberRE  = regexp.MustCompile(`^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$`)
)

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Validate checks request parameters like JSONSchema.pm's check_object with
// additionalProperties => 0. Values come from a form/query (strings) or from
// a JSON body (string, float64, bool). It returns the parameters as strings
// (JSON booleans become "1"/"0") and the per-parameter errors, if any.
func (m *Method) Validate(in map[string]any) (map[string]string, map[string]string) {
	out := map[string]string{}
	errs := map[string]string{}
	addErr := func(k, msg string) {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	for name, p := range m.Params {
		if strings.HasSuffix(name, "[n]") {
			continue
		}
		if _, ok := in[name]; !ok && !p.Optional && p.Alias == "" {
			addErr(name, MsgMissing)
		}
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := m.ParamFor(k)
		if p == nil {
			addErr(k, MsgNotDefined)
			continue
		}
		s, msg := checkProp(p, k, in[k])
		if msg != "" {
			addErr(k, msg)
			continue
		}
		out[k] = s
	}
	for _, k := range keys {
		if p := m.ParamFor(k); p != nil && p.Requires != "" {
			if _, ok := in[p.Requires]; !ok {
				addErr(p.Requires, fmt.Sprintf("missing property - '%s' requires this property", k))
			}
		}
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}

// scalar converts a decoded value to PVE's scalar string, or reports that it
// is a reference (array/object), which only 'array'/'object' types accept.
func scalar(p *Param, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return fmtNum(x), true
	case int:
		return strconv.Itoa(x), true
	case bool:
		if p.Type != "boolean" {
			return "", false
		}
		if x {
			return "1", true
		}
		return "0", true
	}
	return "", false
}

// checkProp follows check_prop/check_type for one scalar value.
func checkProp(p *Param, path string, v any) (string, string) {
	s, ok := scalar(p, v)
	if !ok {
		return "", fmt.Sprintf("type check ('%s') failed", p.Type)
	}
	switch p.Type {
	case "boolean":
		if s != "1" && s != "0" {
			return "", fmt.Sprintf("type check ('boolean') failed - got '%s'", s)
		}
	case "integer":
		if !integerRE.MatchString(s) {
			return "", fmt.Sprintf("type check ('integer') failed - got '%s'", s)
		}
	case "number":
		if !numberRE.MatchString(s) {
			return "", fmt.Sprintf("type check ('number') failed - got '%s'", s)
		}
	}
	if msg := checkConstraints(p, path, s); msg != "" {
		return "", msg
	}
	return s, ""
}

// checkConstraints applies format, pattern, length, range and enum checks in
// JSONSchema.pm's order; the first failure wins.
func checkConstraints(p *Param, path, s string) string {
	if p.Dict != nil {
		if _, err := parsePropertyString(p.Dict, s, path); err != nil {
			return "invalid format - " + err.Error() + "\n"
		}
	} else if p.Format != "" {
		if err := CheckFormat(p.Format, s); err != nil {
			return "invalid format - " + err.Error() + "\n"
		}
	}
	if p.re != nil && !p.re.MatchString(s) {
		return "value does not match the regex pattern"
	}
	if p.MaxLength != nil && len(s) > *p.MaxLength {
		return fmt.Sprintf("value may only be %d characters long", *p.MaxLength)
	}
	if p.MinLength != nil && len(s) < *p.MinLength {
		return fmt.Sprintf("value must be at least %d characters long", *p.MinLength)
	}
	if numberRE.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64)
		if p.Maximum != nil && f > *p.Maximum {
			return "value must have a maximum value of " + fmtNum(*p.Maximum)
		}
		if p.Minimum != nil && f < *p.Minimum {
			return "value must have a minimum value of " + fmtNum(*p.Minimum)
		}
	}
	if len(p.Enum) > 0 {
		for _, e := range p.Enum {
			if e == s {
				return ""
			}
		}
		return fmt.Sprintf("value '%s' does not have a value in the enumeration '%s'", s, strings.Join(p.Enum, ", "))
	}
	return ""
}
