package problems

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// values is a config in which the listed paths are unknown.
type values map[string]bool

func (v values) GetAttribute(_ context.Context, p path.Path, target any) diag.Diagnostics {
	val := attr.Value(types.StringValue("x"))
	if v[p.String()] {
		val = types.StringUnknown()
	}
	*(target.(*attr.Value)) = val
	return nil
}

func TestAddKnown(t *testing.T) {
	gw := []any{"network", 0, "ipv4_gateway"}
	ip := []any{"network", 0, "ipv4"}
	ps := []hardening.Problem{
		{Path: gw, Needs: [][]any{ip}, Summary: "Gateway needs a static address", Detail: "set an address"},
		{Path: []any{"timezone"}, Summary: "Invalid time zone", Detail: "no"},
	}
	var d diag.Diagnostics
	AddKnown(context.Background(), &d, values{"network[0].ipv4": true}, ps)
	if d.ErrorsCount() != 1 || d[0].Summary() != "Invalid time zone" {
		t.Fatalf("with an unknown address: %v", d)
	}
	d = nil
	AddKnown(context.Background(), &d, values{}, ps)
	if d.ErrorsCount() != 2 || !strings.HasPrefix(d[0].Detail(), "network[0].ipv4_gateway: ") || d[1].Detail() != "no" {
		t.Fatalf("all known: %v", d)
	}
	d = nil
	AddKnown(context.Background(), &d, values{"timezone": true}, ps)
	if d.ErrorsCount() != 1 || d[0].Summary() != "Gateway needs a static address" {
		t.Fatalf("unknown timezone: %v", d)
	}
}
