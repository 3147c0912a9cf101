# The organisation's hardening baseline as data: this module creates nothing
# and configures no provider (see README.md). Each team's root module hands
# the output to its own provider block:
#
#   provider "hardened" {
#     baseline = module.baseline.baseline
#   }

locals {
  # Network segments containers may join: the VLAN tag, the bridge that
  # carries it, its subnet and gateway (also the DNS resolver). Never the
  # host's management bridge (vmbr0).
  networks = {
    web  = { vlan = 20, bridge = "vmbr20", cidr = "10.0.20.0/24", gateway = "10.0.20.1" }
    data = { vlan = 30, bridge = "vmbr30", cidr = "10.0.30.0/24", gateway = "10.0.30.1" }
  }

  # Where administrators connect from (SSH).
  management_cidr = "10.0.10.0/24"
}

output "baseline" {
  description = "The value of the hardened provider's `baseline` argument. Settings left out keep seed 000's checklist (see the policy rule catalogue guide)."
  value = {
    required_tags = ["owner-*"] # HC-TAG-001: every container says which team owns it

    max_memory = 4096 # HC-CG-001 (MiB)
    max_cores  = 4    # HC-CG-003
    max_pids   = 2048 # HC-CG-004

    allowed_bridges = [for n in values(local.networks) : n.bridge] # HC-NET-001: vmbr20, vmbr30
    require_vlan    = true                                         # HC-NET-002
    allowed_vlans   = [for n in values(local.networks) : n.vlan]   # HC-NET-002: 20, 30

    allowed_features = []   # HC-FEAT-001: no nesting, keyctl, fuse, mknod or mount
    require_onboot   = true # HC-OPS-001

    # Rules no team may except, whatever the reason: privilege, AppArmor
    # confinement, the seccomp policy.
    no_exceptions = ["HC-PRIV-001", "HC-AA-001", "HC-SC-001"]
  }
}

output "networks" {
  description = "The network segments containers may join, by name: vlan, bridge, cidr, gateway."
  value       = local.networks
}

output "management_cidr" {
  description = "The administrators' network, the only source allowed to reach containers over SSH."
  value       = local.management_cidr
}
