package container

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// importPendingKey marks an imported container whose first apply has not
// run yet (set by ImportState, cleared by Update).
const importPendingKey = "import_pending"

// guardImportReplace fails the first plan after an import when it would
// replace the container: Terraform's generic "must be replaced" notice is
// all a user would otherwise see before the container and its volumes are
// destroyed. allow_replace_after_import = true states the replacement.
func guardImportReplace(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, plan, state containerModel) {
	if req.Private == nil {
		return
	}
	if b, _ := req.Private.GetKey(ctx, importPendingKey); string(b) != "true" {
		return
	}
	replacing := replacingPaths(ctx, req)
	if len(replacing) == 0 {
		return
	}
	if plan.AllowReplace.ValueBool() {
		resp.Diagnostics.AddWarning("The imported container will be replaced",
			fmt.Sprintf("allow_replace_after_import = true: applying this plan destroys CT %d and its volumes (%s cannot change in place) and creates a "+
				"new container.",
				state.VMID.ValueInt64(), replaceReasons(replacing)))
		return
	}
	detail := fmt.Sprintf("CT %d on %s was imported and Terraform has not changed it yet. Applying this plan would destroy it together with its volumes "+
		"(its data) and create a new, empty container, "+
		"because %s cannot change in place.\n\n", state.VMID.ValueInt64(), state.Node.ValueString(), replaceReasons(replacing))
	if isFalse(state.Unprivileged) && !isFalse(plan.Unprivileged) {
		detail += "The container is privileged (its root is the host's root). PVE cannot make a container unprivileged in place; migrate it, keeping its " +
			"data:\n" +
			"  1. back it up:   vzdump <vmid> --mode stop --storage <backup storage>\n" +
			"  2. restore the backup as an unprivileged container (PVE shifts the file ownership):\n" +
			"                   pct restore <new vmid> <backup archive> --unprivileged 1 --storage <storage>\n" +
			"  3. check that the new container works, then import that one (terraform import ... <node>/<new vmid>) and remove the old one.\n\n"
	} else {
		detail += "Change the configuration to what the container is (see the plan's diff), or rebuild it from a backup.\n\n"
	}
	detail += "To replace the container anyway (its data is lost), set allow_replace_after_import = true."
	resp.Diagnostics.AddAttributeError(path.Root("allow_replace_after_import"), "This plan would replace an imported container", detail)
}

// replaceOnChange are the attributes whose change forces a replacement
// right after an import (a test checks the list against the schema; the
// create-only inputs PVE cannot report are adopted after an import).
var replaceOnChange = []path.Path{path.Root("node"), path.Root("vmid"), path.Root("arch"), path.Root("unprivileged"),
	path.Root("rootfs").AtName("storage")}

// replacingPaths are the replaceOnChange attributes the plan changes (the
// framework gives a resource's ModifyPlan no view of its attributes'
// RequiresReplace).
func replacingPaths(ctx context.Context, req resource.ModifyPlanRequest) path.Paths {
	var out path.Paths
	for _, p := range replaceOnChange {
		var pv, sv attr.Value
		if d := req.Plan.GetAttribute(ctx, p, &pv); d.HasError() {
			continue
		}
		if d := req.State.GetAttribute(ctx, p, &sv); d.HasError() {
			continue
		}
		if pv == nil || sv == nil || pv.IsUnknown() || sv.IsNull() {
			continue
		}
		if !pv.Equal(sv) {
			out = append(out, p)
		}
	}
	return out
}

func isFalse(b types.Bool) bool { return !b.IsNull() && !b.IsUnknown() && !b.ValueBool() }

func replaceReasons(paths path.Paths) string {
	var names []string
	for _, p := range paths {
		names = append(names, p.String())
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
