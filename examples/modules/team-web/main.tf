# The web team's root module: two web servers from the platform's
# hardened-app module, checked against the platform's baseline at plan time.

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

# The platform team's baseline: this team does not write its own.
module "baseline" {
  source = "../platform-baseline"
}

provider "hardened" {
  endpoint  = "https://pve1.example.com:8006"
  api_token = var.pve_api_token
  ca_file   = "~/.config/pve/pve-root-ca.pem" # a copy of /etc/pve/pve-root-ca.pem

  ssh = {
    username         = "root"
    private_key_file = "~/.ssh/pve_ed25519"
  }

  baseline = module.baseline.baseline
}

locals {
  web_servers = {
    web01 = "10.0.20.15/24"
    web02 = "10.0.20.16/24"
  }
}

module "web" {
  source   = "../hardened-app"
  for_each = local.web_servers

  name  = each.key
  node  = "pve1"
  owner = "web"
  vlan  = 20
  ipv4  = each.value
  size  = "medium"

  firewall_rules = [
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "HTTPS from anywhere" },
    { type = "out", action = "ACCEPT", proto = "tcp", dport = "5432", dest = "10.0.30.10", comment = "PostgreSQL on db01" },
  ]
}

output "compliance" {
  description = "Each web server's compliance with the baseline, e.g. \"37 pass, 0 fail, 0 excepted\"."
  value       = { for name, app in module.web : name => app.compliance.summary }
}
