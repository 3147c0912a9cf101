package conformance

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// showJSON is the part of `terraform show -json` the proof reads.
type showJSON struct {
	Values struct {
		RootModule module `json:"root_module"`
	} `json:"values"`
}

type module struct {
	Resources []struct {
		Address string         `json:"address"`
		Type    string         `json:"type"`
		Values  map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []module `json:"child_modules"`
}

// FromShowJSON reads every hardened_container of a `terraform show -json`
// document, sorted by address.
func FromShowJSON(data []byte) ([]Expect, error) {
	var doc showJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	var out []Expect
	var walk func(m module)
	walk = func(m module) {
		for _, r := range m.Resources {
			if r.Type == "hardened_container" {
				flat := map[string]string{}
				flatten(flat, "", r.Values)
				out = append(out, FromState(r.Address, flat))
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(doc.Values.RootModule)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// flatten writes v in Terraform's flatmap notation (a.b, l.#, l.0).
func flatten(out map[string]string, prefix string, v any) {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(out, key(k), e)
		}
	case []any:
		out[prefix+".#"] = strconv.Itoa(len(x))
		for i, e := range x {
			flatten(out, key(strconv.Itoa(i)), e)
		}
	case nil:
	case string:
		out[prefix] = x
	case bool:
		out[prefix] = strconv.FormatBool(x)
	case float64:
		out[prefix] = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		out[prefix] = fmt.Sprint(x)
	}
}
