# Two containers for the policy in hardened.rego:
#
#   terraform plan -out tfplan && terraform show -json tfplan > plan.json
#   opa eval -d hardened.rego -i plan.json 'data.hardened.deny'
#
# "web" passes; "legacy" is denied twice: HC-FW-003 (outbound policy ACCEPT)
# and HC-CAP-001 (only sys_module dropped). The provider checks the same rule
# IDs against its `baseline` at plan time, where a container can list
# `exceptions` with a reason; the central OPA gate does not honour them.

terraform {
  required_providers {
    hardened = {
      source = "hardened-pve/hardened"
    }
  }
}

variable "pve_api_token" {
  description = "PVE API token: user@realm!tokenid=secret"
  type        = string
  sensitive   = true
}

provider "hardened" {
  endpoint  = "https://pve1.example.com:8006"
  api_token = var.pve_api_token
  ca_file   = "~/.config/pve/pve-root-ca.pem" # a copy of /etc/pve/pve-root-ca.pem

  ssh = {
    username         = "root"
    private_key_file = "~/.ssh/pve_ed25519"
  }
}

# Compliant: the provider's defaults already satisfy both rules (firewall
# enabled with policy_out = DROP, seed 000's capability drop list); keep
# drops every capability not listed, none of them in the required set.
resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"

  capabilities = {
    keep = ["chown", "dac_override", "fowner", "kill", "net_bind_service", "setgid", "setuid"]
  }

  network = [{ name = "eth0", bridge = "vmbr20", vlan = 20, ipv4 = "10.0.20.15/24", ipv4_gateway = "10.0.20.1" }]

  firewall = {
    rules = [
      { type = "in", action = "ACCEPT", proto = "tcp", dport = "443" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53" },
    ]
  }
}

# Non-compliant: everything may leave the container, and sys_admin,
# sys_rawio, sys_time, mac_admin and mac_override stay with its root. The
# exceptions get it past the provider's plan-time baseline check, not past
# hardened.rego.
resource "hardened_container" "legacy" {
  node       = "pve1"
  hostname   = "legacy01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"

  capabilities = { drop = ["sys_module"] }

  network = [{ name = "eth0", bridge = "vmbr20", vlan = 20, ipv4 = "10.0.20.16/24", ipv4_gateway = "10.0.20.1" }]

  firewall = { policy_out = "ACCEPT" }

  exceptions = [
    { rule = "HC-FW-003", reason = "legacy batch job, outbound destinations not yet inventoried" },
    { rule = "HC-CAP-001", reason = "legacy image needs its capabilities until it is rebuilt" },
  ]
}
