# The host side of the checklist, per node: AppArmor enabled, cgroup v2,
# no IPv6 router advertisements accepted, root's subuid/subgid ranges
# covering every container's idmap, host and datacenter firewalls on.
data "hardened_node_audit" "all" {}

output "node_posture" {
  value = { for r in data.hardened_node_audit.all.results : r.node => r.summary }
  # e.g. { pve1 = "6 pass, 0 fail", pve2 = "5 pass, 1 fail (HC-NODE-003)" }
}

# Fail the run when a node's posture is weak.
check "nodes_hardened" {
  assert {
    condition     = length(data.hardened_node_audit.all.non_compliant) == 0
    error_message = "Nodes failing the host posture rules: ${jsonencode(data.hardened_node_audit.all.failing_by_rule)}"
  }
}
