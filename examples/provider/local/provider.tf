# Terraform runs on the (single) PVE node itself, as root: no SSH.
# Ticket authentication as root@pam allows PVE's root-only operations.
provider "hardened" {
  endpoint    = "https://127.0.0.1:8006"
  username    = "root@pam"
  password    = var.root_password # or PROXMOX_VE_PASSWORD
  ca_file     = "/etc/pve/pve-root-ca.pem"
  node_access = "local"
}

variable "root_password" {
  type      = string
  sensitive = true
}
