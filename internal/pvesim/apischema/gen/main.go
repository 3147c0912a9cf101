// Command gen extracts the methods listed in apischema.Implemented from PVE's
// apidata.json into schema.json (descriptions dropped, constraints kept).
//
//	go run ./internal/pvesim/apischema/gen -in ../shared/pve/apidata.json -out internal/pvesim/apischema/schema.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

type node struct {
	Path     string                    `json:"path"`
	Info     map[string]map[string]any `json:"info,omitempty"`
	Children []node                    `json:"children,omitempty"`
}

// dropped keys carry prose only (a method's permissions are kept: the
// simulator enforces them).
var dropped = map[string]bool{
	"description": true, "verbose_description": true, "typetext": true, "format_description": true,
	"returns": true, "text": true, "title": true,
}

// strip drops prose keys from schema objects; the keys of a "properties" map
// or of a property-string "format" map are names, never dropped.
func strip(v any, names bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if !names && dropped[k] {
				continue
			}
			out[k] = strip(e, !names && (k == "properties" || k == "format"))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = strip(e, false)
		}
		return out
	}
	return v
}

func main() {
	in := flag.String("in", "../shared/pve/apidata.json", "PVE apidata.json")
	out := flag.String("out", "internal/pvesim/apischema/schema.json", "output file")
	flag.Parse()
	raw, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	var tree []node
	if err := json.Unmarshal(raw, &tree); err != nil {
		fail(err)
	}
	want := map[string]bool{}
	for _, m := range apischema.Implemented {
		want[m] = true
	}
	byPath := map[string]map[string]map[string]any{}
	var walk func([]node)
	walk = func(ns []node) {
		for _, n := range ns {
			for hm, info := range n.Info {
				key := hm + " " + n.Path
				if !want[key] {
					continue
				}
				delete(want, key)
				if byPath[n.Path] == nil {
					byPath[n.Path] = map[string]map[string]any{}
				}
				byPath[n.Path][hm] = strip(info, false).(map[string]any)
			}
			walk(n.Children)
		}
	}
	walk(tree)
	if len(want) > 0 {
		fail(fmt.Errorf("not in %s: %v", *in, want))
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	flat := make([]node, 0, len(paths))
	for _, p := range paths {
		flat = append(flat, node{Path: p, Info: byPath[p]})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(flat); err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
