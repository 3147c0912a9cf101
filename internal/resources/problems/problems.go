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

// Add reports every problem as an attribute error.
func Add(diags *diag.Diagnostics, ps []hardening.Problem) {
	for _, p := range ps {
		diags.AddAttributeError(Path(p.Path), p.Summary, p.Detail)
	}
}

// Values is a config or a plan.
type Values interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// AddKnown reports the problems whose attribute is known in cfg (a config
// or a plan): a value that is unknown at plan time (e.g. another resource's
// attribute) was validated as empty and is checked again at apply.
func AddKnown(ctx context.Context, diags *diag.Diagnostics, cfg Values, ps []hardening.Problem) {
	for _, p := range ps {
		at := Path(p.Path)
		var v attr.Value
		if d := cfg.GetAttribute(ctx, at, &v); !d.HasError() && v != nil && v.IsUnknown() {
			continue
		}
		diags.AddAttributeError(at, p.Summary, p.Detail)
	}
}
