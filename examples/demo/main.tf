# The `make demo` configuration: two hardened containers with default-deny
# firewalls on the built-in PVE simulator. The same file works against a real
# cluster with real credentials (then drop node_access/node_root).

terraform {
  required_providers {
    hardened = {
      source = "hardened-pve/hardened"
    }
  }
}

variable "endpoint" { type = string }
variable "api_token" {
  type      = string
  sensitive = true
}
variable "ca_file" { type = string }
variable "node_root" { type = string }

provider "hardened" {
  endpoint    = var.endpoint
  api_token   = var.api_token
  ca_file     = var.ca_file
  node_access = "local"
  node_root   = var.node_root
  # the simulator is no kernel: compile the generated AppArmor profiles with
  # this machine's apparmor_parser instead of loading them
  apparmor_load = "check"
}

locals {
  template = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
}

# The datacenter firewall: off by default in PVE (and in the simulator), and
# while it is off no container's firewall rule is in effect (HC-FW-004).
resource "hardened_cluster_firewall" "dc" {}

# Every guest backed up nightly (seed 000's "Proxmox scheduled backup"):
# without a job covering it, a container fails HC-BAK-001.
resource "hardened_backup_job" "nightly" {
  id       = "nightly"
  schedule = "21:00"
  storage  = "local"
  all      = true
}

# The platform team's security group, referenced by the web container.
resource "hardened_security_group" "web" {
  name    = "webservers"
  comment = "web tier"
  rules = [
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "HTTPS from anywhere" },
  ]
}

resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web"
  ostemplate = local.template
  tags       = ["demo", "owner-web-team"]

  cores    = 2
  memory   = 1024
  pids_max = 512

  network = [{
    name         = "eth0"
    bridge       = "vmbr0"
    vlan         = 20
    ipv4         = "10.0.20.15/24"
    ipv4_gateway = "10.0.20.1"
  }]

  firewall = {
    ipsets = {
      management = { entries = [{ cidr = "10.0.10.0/24" }] }
    }
    rules = [
      { type = "group", action = hardened_security_group.web.name, iface = "net0" },
      { type = "in", action = "ACCEPT", macro = "SSH", source = "+management", comment = "SSH from management only" },
      { type = "out", action = "ACCEPT", proto = "tcp", dport = "443", comment = "HTTPS outbound" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53", dest = "10.0.20.1", comment = "DNS" },
    ]
  }
}

resource "hardened_container" "worker" {
  node       = "pve2"
  hostname   = "worker"
  ostemplate = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"

  # strictest posture: drop every capability (seed 000)
  capabilities = { keep = [] }

  network = [{
    name   = "eth0"
    bridge = "vmbr0"
    ipv4   = "10.0.30.7/24"
  }]

  firewall = {
    rules = [
      { type = "out", action = "ACCEPT", proto = "tcp", dport = "443", comment = "HTTPS outbound only" },
    ]
  }
}

output "web" {
  value = "${hardened_container.web.id}: ${join(" | ", hardened_container.web.lxc_lines)}"
}
