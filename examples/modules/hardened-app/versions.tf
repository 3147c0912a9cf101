terraform {
  required_version = ">= 1.5.7"

  required_providers {
    hardened = {
      source = "hardened-pve/hardened"
    }
  }
}
