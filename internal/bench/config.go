package bench

import "fmt"

// fleetConfig is N default containers (spread over two nodes), each with one
// NIC and a three-rule firewall: the fleet issue 13 measured.
func fleetConfig(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    hardened = { source = "hardened-pve/hardened" }
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
  endpoint      = var.endpoint
  api_token     = var.api_token
  ca_file       = var.ca_file
  node_access   = "local"
  node_root     = var.node_root
  apparmor_load = "check"
}

resource "hardened_container" "fleet" {
  count      = %d
  node       = count.index %% 2 == 0 ? "pve1" : "pve2"
  hostname   = "ct-${count.index}"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"

  network = [{
    name   = "eth0"
    bridge = "vmbr0"
    ipv4   = "10.1.${floor(count.index / 250)}.${count.index %% 250 + 2}/16"
  }]

  firewall = {
    rules = [
      { type = "in", action = "ACCEPT", macro = "SSH", source = "10.0.10.0/24" },
      { type = "out", action = "ACCEPT", proto = "tcp", dport = "443" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53" },
    ]
  }
}
`, n)
}

// baselineConfig is Terraform alone: N terraform_data resources.
func baselineConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "fleet" {
  count = %d
  input = "ct-${count.index}"
}
`, n)
}
