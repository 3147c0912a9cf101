package container

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// describer is what every plan modifier implements.
type describer interface {
	Description(context.Context) string
}

// forcesReplace reports whether a plan modifier is the framework's
// RequiresReplace (unconditional replacement on change).
func forcesReplace(ctx context.Context, mods []describer) bool {
	for _, m := range mods {
		if strings.Contains(m.Description(ctx), "destroy and recreate") {
			return true
		}
	}
	return false
}

func modifiersOf(a schema.Attribute) []describer {
	var out []describer
	switch x := a.(type) {
	case schema.StringAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m)
		}
	case schema.Int64Attribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m)
		}
	case schema.BoolAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m)
		}
	case schema.ListAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m)
		}
	case schema.SetAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m)
		}
	}
	return out
}

// TestReplaceOnChangeMatchesSchema: the import guard knows every attribute
// whose change forces a replacement (top level and inside single nested
// attributes), so a new one cannot slip past it.
func TestReplaceOnChangeMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&containerResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	var got []string
	for name, a := range resp.Schema.Attributes {
		if forcesReplace(ctx, modifiersOf(a)) {
			got = append(got, path.Root(name).String())
		}
		if n, ok := a.(schema.SingleNestedAttribute); ok {
			for sub, sa := range n.Attributes {
				if forcesReplace(ctx, modifiersOf(sa)) {
					got = append(got, path.Root(name).AtName(sub).String())
				}
			}
		}
	}
	var want []string
	for _, p := range replaceOnChange {
		want = append(want, p.String())
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("attributes that force a replacement: %v; replaceOnChange: %v", got, want)
	}
}
