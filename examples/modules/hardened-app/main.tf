# The platform team's way to run a service in a container: the owner tag,
# the segment's bridge and gateway, a size, start on boot, SSH only from
# management. The hardening itself (unprivileged, capability drops, AppArmor,
# seccomp, default-deny firewall) is the provider's default; whether a
# container complies is decided by the provider's baseline at plan time, not
# by this module.

module "platform" {
  source = "../platform-baseline"
}

locals {
  sizes = {
    small  = { cores = 1, memory = 512, swap = 256, pids_max = 512, disk_gb = 8 }
    medium = { cores = 2, memory = 1024, swap = 512, pids_max = 1024, disk_gb = 16 }
    large  = { cores = 4, memory = 4096, swap = 1024, pids_max = 2048, disk_gb = 32 }
  }
  size = local.sizes[var.size]

  # The platform's segment with this VLAN (null for an unknown VLAN: see the precondition).
  segment = one([for n in values(module.platform.networks) : n if n.vlan == var.vlan])

  platform_rules = [
    { type = "in", action = "ACCEPT", macro = "SSH", source = module.platform.management_cidr, comment = "SSH from management only" },
    { type = "out", action = "ACCEPT", macro = "DNS", dest = try(local.segment.gateway, null), comment = "DNS" },
  ]
}

resource "hardened_container" "this" {
  node        = var.node
  hostname    = var.name
  ostemplate  = var.ostemplate
  description = var.description
  tags        = ["owner-${var.owner}"]
  onboot      = true

  cores    = coalesce(var.cores, local.size.cores)
  memory   = coalesce(var.memory, local.size.memory)
  swap     = local.size.swap
  pids_max = coalesce(var.pids_max, local.size.pids_max)
  rootfs   = { size = coalesce(var.disk_gb, local.size.disk_gb) }

  ssh_public_keys = length(var.ssh_public_keys) > 0 ? var.ssh_public_keys : null

  network = [{
    name         = "eth0"
    bridge       = try(local.segment.bridge, null)
    vlan         = var.vlan
    ipv4         = var.ipv4
    ipv4_gateway = try(local.segment.gateway, null)
  }]

  firewall = {
    rules = concat(local.platform_rules, var.firewall_rules)
  }

  exceptions = length(var.exceptions) > 0 ? var.exceptions : null

  lifecycle {
    precondition {
      condition     = local.segment != null
      error_message = "VLAN ${var.vlan} is not one of the platform's networks (${join(", ", [for k, n in module.platform.networks : "${n.vlan} ${k}"])})."
    }
    precondition {
      condition     = local.segment == null || try(cidrsubnet(var.ipv4, 0, 0) == local.segment.cidr, false)
      error_message = "ipv4 ${var.ipv4} is not in VLAN ${var.vlan}'s subnet ${try(local.segment.cidr, "")}."
    }
  }
}
