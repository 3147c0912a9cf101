package apischema

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ParsePropertyString parses "default,key=value,..." against a property-string
// format like JSONSchema.pm's parse_property_string (no additional keys,
// booleans normalised to 1/0, every key checked). The error text is PVE's.
func ParsePropertyString(dict map[string]*Param, s string) (map[string]string, error) {
	return parsePropertyString(dict, s, "")
}

func parsePropertyString(dict map[string]*Param, s, path string) (map[string]string, error) {
	res := map[string]string{}
	defaultKey := ""
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, hasEq := strings.Cut(part, "=")
		switch {
		case hasEq && k != "" && v != "":
			if _, dup := res[k]; dup {
				return nil, fmt.Errorf("duplicate key in comma-separated list property: %s", k)
			}
			p := dict[k]
			if p != nil && p.Alias != "" {
				if p.KeyAlias != "" {
					if _, dup := res[p.KeyAlias]; dup {
						return nil, fmt.Errorf("key alias '%s' is already defined", p.KeyAlias)
					}
					res[p.KeyAlias] = k
				}
				k = p.Alias
				p = dict[k]
			}
			if p == nil {
				return nil, fmt.Errorf("invalid key in comma-separated list property: %s", k)
			}
			if p.Type == "boolean" {
				if b, ok := parseBoolean(v); ok {
					v = b
				}
			}
			res[k] = v
		case !hasEq:
			if defaultKey != "" {
				return nil, fmt.Errorf("duplicate key in comma-separated list property: %s", defaultKey)
			}
			for _, name := range sortedKeys(dict) {
				if dict[name].DefaultKey {
					defaultKey = name
					break
				}
			}
			if defaultKey == "" {
				return nil, errors.New("value without key, but schema does not define a default key")
			}
			if res[defaultKey] != "" {
				return nil, fmt.Errorf("duplicate key in comma-separated list property: %s", defaultKey)
			}
			res[defaultKey] = part
		default:
			return nil, errors.New("missing key in comma-separated list property")
		}
	}
	errs := map[string]string{}
	for name, p := range dict {
		if _, ok := res[name]; !ok && !p.Optional && p.Alias == "" {
			errs[joinPath(path, name)] = MsgMissing
		}
	}
	for k, v := range res {
		p := dict[k]
		if p == nil {
			continue // a keyAlias marker
		}
		if _, msg := checkProp(p, joinPath(path, k), v); msg != "" {
			errs[joinPath(path, k)] = msg
		}
	}
	if len(errs) > 0 {
		var b strings.Builder
		b.WriteString("format error\n")
		for _, k := range sortedKeys(errs) {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.TrimSuffix(errs[k], "\n"))
		}
		return nil, errors.New(strings.TrimSuffix(b.String(), "\n"))
	}
	return res, nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	trueRE  = regexp.MustCompile(`^(?i:1|on|yes|true)$`)
	falseRE = regexp.MustCompile(`^(?i:0|off|no|false)$`)
)

// parseBoolean is JSONSchema.pm's parse_boolean.
func parseBoolean(v string) (string, bool) {
	switch {
	case trueRE.MatchString(v):
		return "1", true
	case falseRE.MatchString(v):
		return "0", true
	}
	return "", false
}

// PrintPropertyString renders like print_property_string: the default key's
// bare value first, then required keys, then the rest, each group sorted;
// disk sizes are normalised with format_size.
func PrintPropertyString(dict map[string]*Param, kv map[string]string) string {
	var parts []string
	done := map[string]bool{}
	add := func(k string, bare bool) {
		if done[k] {
			return
		}
		done[k] = true
		v, ok := kv[k]
		if !ok {
			return
		}
		if p := dict[k]; p != nil && p.Format == "disk-size" {
			if b, err := ParseSize(v); err == nil {
				v = FormatSize(b)
			}
		}
		if bare {
			parts = append(parts, v)
		} else {
			parts = append(parts, k+"="+v)
		}
	}
	for _, k := range sortedKeys(dict) {
		if dict[k].DefaultKey {
			add(k, true)
			break
		}
	}
	keys := sortedKeys(kv)
	for _, k := range keys {
		if p := dict[k]; p != nil && !p.Optional {
			add(k, false)
		}
	}
	for _, k := range keys {
		add(k, false)
	}
	return strings.Join(parts, ",")
}

var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)([KMGT])?$`)

// ParseSize is PVE's parse_size: "8G" -> bytes.
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("unable to parse size '%s'", s)
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	mult := map[string]float64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m[2]]
	return int64(f * mult), nil
}

// FormatSize is PVE's format_size: the largest unit that divides exactly.
func FormatSize(b int64) string {
	units := []string{"K", "M", "G", "T"}
	if b%1024 != 0 {
		return strconv.FormatInt(b, 10)
	}
	v := b / 1024
	for i, u := range units {
		if i == len(units)-1 || v%1024 != 0 {
			return strconv.FormatInt(v, 10) + u
		}
		v /= 1024
	}
	return strconv.FormatInt(b, 10)
}
