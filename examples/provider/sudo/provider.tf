# Node files over SSH as a user of your own, root through sudo: the nodes can
# refuse root logins (PermitRootLogin no). Each node's /etc/sudoers.d/ must
# allow the user exactly the three programs of the real-cluster guide.
provider "hardened" {
  endpoint  = "https://pve1.example.com:8006"
  api_token = var.pve_api_token
  ca_file   = "~/.config/pve/pve-root-ca.pem"

  ssh = {
    username         = "terraform"
    sudo             = true
    private_key_file = "~/.ssh/terraform_pve"
  }
}

variable "pve_api_token" {
  type      = string
  sensitive = true
}
