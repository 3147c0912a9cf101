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

# API token authentication, node files over SSH with host key verification.
provider "hardened" {
  endpoint  = "https://pve1.example.com:8006"
  api_token = var.pve_api_token
  ca_file   = "~/.config/pve/pve-root-ca.pem" # a copy of /etc/pve/pve-root-ca.pem

  ssh = {
    username         = "root"
    private_key_file = "~/.ssh/pve_ed25519"
    known_hosts_file = "~/.ssh/known_hosts" # the default

    # Optional: each node is reached at the address the cluster knows it by
    # (/cluster/status); override it where SSH is reached on another network.
    nodes = {
      pve1 = { address = "10.0.0.11" }
      pve2 = { address = "10.0.0.12" }
    }
  }
}
