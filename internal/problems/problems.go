// Package problems turns the hardening core's plan-time problems into
// Terraform attribute diagnostics.
package problems

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Path converts a problem's path: strings are attribute names, ints list
// indexes, hardening.Key map keys.
func Path(p []any) path.Path {
	at := path.Empty()
	for _, e := range p {
		switch x := e.(type) {
		case int:
			at = at.AtListIndex(x)
		case hardening.Key:
			at = at.AtMapKey(string(x))
		case string:
			at = at.AtName(x)
		}
	}
	return at
}

// Add reports every problem that is not a warning as an attribute error
// (at apply time: the plan already showed the warnings).
func Add(diags *diag.Diagnostics, ps []hardening.Problem) {
	for _, p := range ps {
		if !p.Warning {
			diags.AddAttributeError(Path(p.Path), p.Summary, detail(p))
		}
	}
}

// detail is the problem's text; a nested path (network[0].ipv4,
// nameservers[1]) leads it: Terraform shows the configuration line of a
// top-level attribute, but for an attribute inside an object it shows the
// resource's first line, so the text names the attribute.
func detail(p hardening.Problem) string {
	if len(p.Path) > 1 {
		return hardening.PathString(p.Path) + ": " + p.Detail
	}
	return p.Detail
}

// Errors are the problems that are not warnings.
func Errors(ps []hardening.Problem) []hardening.Problem {
	var out []hardening.Problem
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Values is a config or a plan.
type Values interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// AddKnown reports the problems whose attribute (and every attribute it
// Needs) is known in cfg (a config or a plan) as attribute errors or
// warnings: a value that is unknown at plan time (e.g. another resource's
// attribute, count.index during validation) was validated as empty and is
// checked again at apply.
func AddKnown(ctx context.Context, diags *diag.Diagnostics, cfg Values, ps []hardening.Problem) {
	for _, p := range ps {
		at := Path(p.Path)
		if unknown(ctx, cfg, at) || needsUnknown(ctx, cfg, p.Needs) {
			continue
		}
		if p.Warning {
			diags.AddAttributeWarning(at, p.Summary, detail(p))
			continue
		}
		diags.AddAttributeError(at, p.Summary, detail(p))
	}
}

func unknown(ctx context.Context, cfg Values, at path.Path) bool {
	var v attr.Value
	d := cfg.GetAttribute(ctx, at, &v)
	return !d.HasError() && v != nil && v.IsUnknown()
}

func needsUnknown(ctx context.Context, cfg Values, needs [][]any) bool {
	for _, n := range needs {
		if unknown(ctx, cfg, Path(n)) {
			return true
		}
	}
	return false
}
