# What in the cluster is not hardened? Every container, managed by Terraform
# or not, checked against the provider's baseline.
data "hardened_audit" "cluster" {}

output "not_hardened" {
  value = data.hardened_audit.cluster.non_compliant # e.g. ["pve1/301", "pve2/118"]
}

output "findings" {
  value = {
    for ct in data.hardened_audit.cluster.containers : ct.id => [
      for f in ct.failures : "${f.rule} (${f.severity}): ${f.detail}"
    ] if !ct.compliant
  }
}

# A stricter baseline for one node's containers, on top of the provider's.
data "hardened_audit" "dmz" {
  node = "pve2"
  baseline = {
    allowed_bridges = ["vmbr99"]
    require_vlan    = true
    max_pids        = 512
  }
}
