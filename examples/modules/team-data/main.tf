# The data team's root module: a PostgreSQL container that needs more memory
# than the platform's baseline allows (max_memory = 4096 MiB). The deviation
# is declared with its reason, where reviewers, the plan JSON and the
# container's compliance show it; without it `terraform plan` fails with
# HC-CG-001.

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

module "db" {
  source = "../hardened-app"

  name   = "db01"
  node   = "pve1"
  owner  = "data"
  vlan   = 30
  ipv4   = "10.0.30.10/24"
  size   = "large"
  memory = 8192 # above the baseline's max_memory: see exceptions

  firewall_rules = [
    { type = "in", action = "ACCEPT", proto = "tcp", dport = "5432", source = "10.0.20.0/24", comment = "PostgreSQL from the web segment" },
  ]

  exceptions = [
    { rule = "HC-CG-001", reason = "PostgreSQL shared_buffers for the reporting workload; approved by the platform team (SEC-231)" },
  ]
}

# The security team's view: every container of the cluster, managed by
# Terraform or not, against the same baseline. Exceptions live in Terraform,
# not on the cluster, so the audit lists db01 with its raw HC-CG-001 failure.
data "hardened_audit" "cluster" {
  depends_on = [module.db] # audit after db01 is applied
}

output "db_compliance" {
  description = "db01 against the baseline: \"36 pass, 0 fail, 1 excepted (HC-CG-001)\"."
  value       = module.db.compliance.summary
}

output "not_hardened" {
  description = "IDs (<node>/<vmid>) of the cluster's containers that fail at least one rule of the baseline."
  value       = data.hardened_audit.cluster.non_compliant
}
