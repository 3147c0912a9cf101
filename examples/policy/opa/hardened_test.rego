# Unit tests of hardened.rego: opa test examples/policy/opa (Rego v1, OPA 1.x).
package hardened_test

import data.hardened

seed_000_drop := [
	"sys_module", "sys_rawio", "sys_pacct", "sys_admin", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "audit_write", "audit_control", "mac_override", "mac_admin",
]

default_firewall := {"enabled": true, "policy_in": "DROP", "policy_out": "DROP"}

# plan is a plan with one change: a hardened_container named c with the
# given actions and planned values.
plan(actions, after) := {"resource_changes": [{
	"address": "hardened_container.c",
	"type": "hardened_container",
	"name": "c",
	"change": {"actions": actions, "after": after},
}]}

container(caps, fw) := {"hostname": "c", "capabilities": caps, "firewall": fw}

compliant := container({"drop": seed_000_drop, "keep": null}, default_firewall)

fw_msg(enabled, policy_out) := sprintf(
	"HC-FW-003 hardened_container.c: outbound firewall policy must be default deny (firewall.enabled = %s, firewall.policy_out = %s; want true and \"DROP\" or \"REJECT\")",
	[enabled, policy_out],
)

cap_msg(problem) := sprintf("HC-CAP-001 hardened_container.c: required capabilities dropped: %s", [problem])

test_defaults_pass if {
	count(hardened.deny) == 0 with input as plan(["create"], compliant)
}

test_reject_passes if {
	count(hardened.deny) == 0 with input as plan(["update"], container(
		{"drop": seed_000_drop, "keep": null},
		{"enabled": true, "policy_out": "REJECT"},
	))
}

test_policy_out_accept_denied if {
	hardened.deny == {fw_msg("true", "\"ACCEPT\"")} with input as plan(["create"], container(
		{"drop": seed_000_drop, "keep": null},
		{"enabled": true, "policy_out": "ACCEPT"},
	))
}

test_firewall_disabled_denied if {
	hardened.deny == {fw_msg("false", "\"DROP\"")} with input as plan(["update"], container(
		{"drop": seed_000_drop, "keep": null},
		{"enabled": false, "policy_out": "DROP"},
	))
}

test_firewall_unknown_fails_closed if {
	hardened.deny == {fw_msg("unknown", "unknown")} with input as plan(["create"], {"capabilities": {"drop": seed_000_drop}})
}

test_drop_missing_required_denied if {
	hardened.deny == {cap_msg("mac_admin, mac_override, sys_admin, sys_rawio, sys_time missing from capabilities.drop")} with input as plan(["create"], container({"drop": ["sys_module"], "keep": null}, default_firewall))
}

test_drop_exactly_required_passes if {
	count(hardened.deny) == 0 with input as plan(["create"], container(
		{"drop": ["sys_admin", "sys_module", "sys_rawio", "sys_time", "mac_admin", "mac_override"], "keep": null},
		default_firewall,
	))
}

test_keep_without_required_passes if {
	count(hardened.deny) == 0 with input as plan(["create"], container({"drop": null, "keep": ["chown", "net_bind_service"]}, default_firewall))
}

test_keep_nothing_passes if {
	count(hardened.deny) == 0 with input as plan(["create"], container({"drop": null, "keep": []}, default_firewall))
}

test_keep_required_denied if {
	hardened.deny == {cap_msg("sys_admin, sys_time kept by capabilities.keep")} with input as plan(["create"], container({"drop": null, "keep": ["chown", "sys_time", "sys_admin"]}, default_firewall))
}

test_capabilities_unknown_fails_closed if {
	hardened.deny == {cap_msg("mac_admin, mac_override, sys_admin, sys_module, sys_rawio, sys_time missing from capabilities.drop")} with input as plan(["create"], {"firewall": default_firewall})
}

test_both_rules_reported if {
	hardened.deny == {
		fw_msg("true", "\"ACCEPT\""),
		cap_msg("mac_admin, mac_override, sys_admin, sys_rawio, sys_time missing from capabilities.drop"),
	} with input as plan(["create"], container({"drop": ["sys_module"], "keep": null}, {"enabled": true, "policy_out": "ACCEPT"}))
}

weak := container({"drop": ["sys_module"], "keep": null}, {"enabled": true, "policy_out": "ACCEPT"})

test_replacement_checked if {
	count(hardened.deny) == 2 with input as plan(["delete", "create"], weak)
}

test_delete_noop_read_ignored if {
	every actions in [["delete"], ["no-op"], ["read"]] {
		count(hardened.deny) == 0 with input as plan(actions, weak)
	}
}

test_other_types_ignored if {
	count(hardened.deny) == 0 with input as {"resource_changes": [{
		"address": "hardened_security_group.g",
		"type": "hardened_security_group",
		"change": {"actions": ["create"], "after": {"name": "g"}},
	}]}
}

test_each_container_separately if {
	msgs := hardened.deny with input as {"resource_changes": [
		{"address": "hardened_container.ok", "type": "hardened_container", "change": {"actions": ["create"], "after": compliant}},
		{"address": "hardened_container.bad", "type": "hardened_container", "change": {"actions": ["update"], "after": weak}},
	]}
	count(msgs) == 2
	every m in msgs {
		contains(m, " hardened_container.bad: ")
	}
}

test_no_resource_changes if {
	count(hardened.deny) == 0 with input as {"format_version": "1.2"}
}
