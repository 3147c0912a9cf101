// Package apischema holds the part of the real PVE 9.1 API schema that the
// simulator implements (generated from apidata.json) and validates request
// parameters the way pve-common's JSONSchema.pm does, with its messages.
package apischema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed schema.json
var embeddedJSON []byte

// Schema is a set of API methods keyed by "METHOD /path/{template}".
type Schema struct {
	methods map[string]*Method
}

// Method is one API method with its parameter schema.
type Method struct {
	HTTPMethod string
	Path       string
	Name       string
	AllowToken bool
	Protected  bool
	Params     map[string]*Param
	// Permissions is nil for a root@pam-only method.
	Permissions *Permissions
}

// Param is one parameter (or one key of a property-string format).
type Param struct {
	Name       string
	Type       string
	Optional   bool
	Enum       []string
	Minimum    *float64
	Maximum    *float64
	MinLength  *int
	MaxLength  *int
	Pattern    string
	Format     string
	Dict       map[string]*Param
	Default    any
	DefaultKey bool
	Alias      string
	KeyAlias   string
	Requires   string
	Raw        map[string]any
	// PatternErr is set when Pattern cannot be compiled for Go.
	PatternErr error

	re *regexp.Regexp
}

var (
	embeddedOnce sync.Once
	embedded     *Schema
)

// Embedded returns the schema of the methods the simulator implements.
func Embedded() *Schema {
	embeddedOnce.Do(func() {
		s, err := ParseAPIData(embeddedJSON)
		if err != nil {
			panic("apischema: embedded schema.json: " + err.Error())
		}
		embedded = s
	})
	return embedded
}

type apiNode struct {
	Path     string                    `json:"path"`
	Info     map[string]map[string]any `json:"info"`
	Children []apiNode                 `json:"children"`
}

// ParseAPIData parses PVE's apidata.json tree (or the generator's flat list,
// which has the same node shape).
func ParseAPIData(raw []byte) (*Schema, error) {
	var nodes []apiNode
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return nil, err
	}
	s := &Schema{methods: map[string]*Method{}}
	var walk func([]apiNode) error
	walk = func(ns []apiNode) error {
		for _, n := range ns {
			for hm, info := range n.Info {
				m, err := parseMethod(hm, n.Path, info)
				if err != nil {
					return fmt.Errorf("%s %s: %w", hm, n.Path, err)
				}
				s.methods[hm+" "+n.Path] = m
			}
			if err := walk(n.Children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(nodes); err != nil {
		return nil, err
	}
	return s, nil
}

func parseMethod(hm, path string, info map[string]any) (*Method, error) {
	m := &Method{HTTPMethod: hm, Path: path, Params: map[string]*Param{}}
	m.Name, _ = info["name"].(string)
	m.AllowToken = truthy(info["allowtoken"])
	m.Protected = truthy(info["protected"])
	perms, err := parsePermissions(info["permissions"])
	if err != nil {
		return nil, err
	}
	m.Permissions = perms
	params, _ := info["parameters"].(map[string]any)
	props, _ := params["properties"].(map[string]any)
	for name, v := range props {
		pm, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parameter %s: not an object", name)
		}
		p, err := parseParam(name, pm)
		if err != nil {
			return nil, err
		}
		m.Params[name] = p
	}
	return m, nil
}

func parseParam(name string, raw map[string]any) (*Param, error) {
	p := &Param{Name: name, Raw: raw, Default: raw["default"]}
	p.Type, _ = raw["type"].(string)
	p.Optional = truthy(raw["optional"])
	p.DefaultKey = truthy(raw["default_key"])
	p.Alias, _ = raw["alias"].(string)
	p.KeyAlias, _ = raw["keyAlias"].(string)
	p.Requires, _ = raw["requires"].(string)
	p.Pattern, _ = raw["pattern"].(string)
	if e, ok := raw["enum"].([]any); ok {
		for _, x := range e {
			p.Enum = append(p.Enum, fmt.Sprint(x))
		}
	}
	p.Minimum = floatPtr(raw["minimum"])
	p.Maximum = floatPtr(raw["maximum"])
	if f := floatPtr(raw["minLength"]); f != nil {
		n := int(*f)
		p.MinLength = &n
	}
	if f := floatPtr(raw["maxLength"]); f != nil {
		n := int(*f)
		p.MaxLength = &n
	}
	switch f := raw["format"].(type) {
	case string:
		p.Format = f
	case map[string]any:
		p.Dict = map[string]*Param{}
		for k, v := range f {
			sub, ok := v.(map[string]any)
			if !ok {
				continue
			}
			sp, err := parseParam(k, sub)
			if err != nil {
				return nil, err
			}
			p.Dict[k] = sp
		}
	}
	if p.Pattern != "" {
		// a pattern RE2 cannot compile is kept as an error: it matters only
		// for implemented methods, which a test checks
		p.re, p.PatternErr = compilePerlRegex(p.Pattern)
	}
	return p, nil
}

// compilePerlRegex anchors a Perl pattern (as JSONSchema.pm does with ^...$)
// after rewriting Perl's stringified "(?^:...)" groups for Go's RE2.
func compilePerlRegex(pat string) (*regexp.Regexp, error) {
	pat = perlFlagsRE.ReplaceAllString(pat, "(?$1:")
	pat = strings.ReplaceAll(pat, `\0`, `\x00`)
	return regexp.Compile(`^(?:` + pat + `)$`)
}

// perlFlagsRE matches Perl's stringified qr// groups: "(?^:" and "(?^i:".
var perlFlagsRE = regexp.MustCompile(`\(\?\^([a-z]*):`)

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x == "1"
	}
	return false
}

func floatPtr(v any) *float64 {
	switch x := v.(type) {
	case float64:
		return &x
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return &f
		}
	}
	return nil
}

// Method returns the method for an HTTP method and a path template, or nil.
func (s *Schema) Method(httpMethod, pathTemplate string) *Method {
	return s.methods[httpMethod+" "+pathTemplate]
}

// Methods returns every method, sorted by path then HTTP method.
func (s *Schema) Methods() []*Method {
	out := make([]*Method, 0, len(s.methods))
	for _, m := range s.methods {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].HTTPMethod < out[j].HTTPMethod
	})
	return out
}

// indexedMax is how many instances PVE registers for an "x[n]" parameter
// (pve-container: $MAX_LXC_NETWORKS = 32, $MAX_MOUNT_POINTS = 256,
// $MAX_UNUSED_DISKS = 256, $MAX_DEVICES = 256).
var indexedMax = map[string]int{"net": 32, "mp": 256, "unused": 256, "dev": 256}

var indexedRE = regexp.MustCompile(`^([a-z]+)(\d+)$`)

// ParamFor returns the parameter schema for a concrete name: "net3" finds
// "net[n]" when 3 is within PVE's range for that option.
func (m *Method) ParamFor(name string) *Param {
	if p, ok := m.Params[name]; ok {
		return p
	}
	sm := indexedRE.FindStringSubmatch(name)
	if sm == nil {
		return nil
	}
	p, ok := m.Params[sm[1]+"[n]"]
	if !ok {
		return nil
	}
	if len(sm[2]) > 1 && sm[2][0] == '0' {
		return nil
	}
	n, _ := strconv.Atoi(sm[2])
	limit, ok := indexedMax[sm[1]]
	if !ok {
		limit = 256
	}
	if n >= limit {
		return nil
	}
	return p
}
