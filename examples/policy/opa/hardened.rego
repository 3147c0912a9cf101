# Organisation policy for hardened_container over a Terraform plan:
#
#   terraform plan -out tfplan && terraform show -json tfplan > plan.json
#   opa eval -d hardened.rego -i plan.json 'data.hardened.deny'
#
# Rego v1 syntax, the default of OPA 1.x (`make opa` builds OPA v1.22.4 into
# bin/opa). OPA 0.x (>= 0.59) needs `import rego.v1` added below the package
# line, or the --v1-compatible flag.
#
# Every message starts with the rule ID and the resource address. Only
# containers the plan creates or updates (a replacement included) are checked,
# on their planned values (change.after). A value Terraform only knows after
# apply is absent from change.after: the policy then denies (fails closed).
# The provider checks the same rule IDs at plan time, where a container may
# list `exceptions`; this central gate deliberately does not honour them.
package hardened

# HC-CAP-001: capabilities that must never stay with the container's root.
required_drop := {
	"mac_admin",
	"mac_override",
	"sys_admin",
	"sys_module",
	"sys_rawio",
	"sys_time",
}

# The hardened_container changes to check.
changed_containers contains rc if {
	some rc in input.resource_changes
	rc.type == "hardened_container"
	some action in rc.change.actions
	action in {"create", "update"}
}

# HC-FW-003: outbound firewall policy must be default deny.
deny contains msg if {
	some rc in changed_containers
	not outbound_default_deny(rc.change.after)
	msg := sprintf(
		"HC-FW-003 %s: outbound firewall policy must be default deny (firewall.enabled = %s, firewall.policy_out = %s; want true and \"DROP\" or \"REJECT\")",
		[rc.address, show(rc.change.after, ["firewall", "enabled"]), show(rc.change.after, ["firewall", "policy_out"])],
	)
}

outbound_default_deny(after) if {
	after.firewall.enabled == true
	after.firewall.policy_out in {"DROP", "REJECT"}
}

# HC-CAP-001: required capabilities dropped.
deny contains msg if {
	some rc in changed_containers
	problem := capability_problem(rc.change.after)
	msg := sprintf("HC-CAP-001 %s: required capabilities dropped: %s", [rc.address, problem])
}

# capabilities.keep (drop everything else) passes when it keeps none of the
# required set; capabilities.drop must list all of them.
capability_problem(after) := sprintf("%s kept by capabilities.keep", [concat(", ", sort(kept))]) if {
	is_array(after.capabilities.keep)
	kept := required_drop & as_set(after.capabilities.keep)
	count(kept) > 0
} else := sprintf("%s missing from capabilities.drop", [concat(", ", sort(missing))]) if {
	not is_array(object.get(after, ["capabilities", "keep"], null))
	missing := required_drop - as_set(object.get(after, ["capabilities", "drop"], null))
	count(missing) > 0
}

as_set(xs) := {x | some x in xs} if is_array(xs)

else := set()

# show renders a planned value for a message; "unknown" when the plan does not
# have it (unset, or known only after apply).
show(after, path) := json.marshal(v) if {
	v := object.get(after, path, null)
	v != null
} else := "unknown"
