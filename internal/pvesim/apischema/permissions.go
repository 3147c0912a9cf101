package apischema

import "fmt"

// Permissions is a method's `permissions` as in PVE's API schema: `user`
// ("world", "all") and/or a `check` expression, evaluated by
// PVE::RPCEnvironment::check_api2_permissions before the handler runs.
// A method without permissions is root@pam only.
type Permissions struct {
	User  string
	Check *Check
}

// Check is one node of a permission check expression:
//
//	["perm", "/vms/{vmid}", ["VM.Audit"], "any", 1, "require_param", "x"]
//	["and", CHECK, CHECK...] / ["or", CHECK, CHECK...]
//	["userid-param", "self"], ["userid-group", [...]], ["perm-modify", "/path"]
//
// Only the fields of the node's test are set; unknown tests are kept by name
// (and refused by the evaluator, as PVE dies on them).
type Check struct {
	Test         string
	Path         string   // perm, perm-modify: a path template with {param}s
	Privs        []string // perm, userid-group
	Any          bool     // perm: any of Privs instead of all
	RequireParam string   // perm: the check fails without this parameter
	Sub          []*Check // and, or
	Arg          string   // userid-param's subtest
}

func parsePermissions(v any) (*Permissions, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil
	}
	p := &Permissions{}
	p.User, _ = m["user"].(string)
	if c, ok := m["check"]; ok {
		chk, err := parseCheck(c)
		if err != nil {
			return nil, fmt.Errorf("permissions: %w", err)
		}
		p.Check = chk
	}
	return p, nil
}

func parseCheck(v any) (*Check, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("check is not a non-empty list: %v", v)
	}
	test, _ := arr[0].(string)
	c := &Check{Test: test}
	switch test {
	case "and", "or":
		for _, s := range arr[1:] {
			sub, err := parseCheck(s)
			if err != nil {
				return nil, err
			}
			c.Sub = append(c.Sub, sub)
		}
	case "perm":
		if len(arr) < 3 {
			return nil, fmt.Errorf("perm check needs a path and privileges: %v", arr)
		}
		c.Path, _ = arr[1].(string)
		c.Privs = stringList(arr[2])
		for i := 3; i+1 < len(arr); i += 2 {
			k, _ := arr[i].(string)
			switch k {
			case "any":
				c.Any = truthy(arr[i+1])
			case "require_param":
				c.RequireParam, _ = arr[i+1].(string)
			}
		}
	case "perm-modify":
		if len(arr) > 1 {
			c.Path, _ = arr[1].(string)
		}
	case "userid-param":
		if len(arr) > 1 {
			c.Arg, _ = arr[1].(string)
		}
	case "userid-group":
		if len(arr) > 1 {
			c.Privs = stringList(arr[1])
		}
	}
	return c, nil
}

func stringList(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
