output "id" {
  description = "<node>/<vmid> of the container."
  value       = hardened_container.this.id
}

output "vmid" {
  description = "The container's VMID."
  value       = hardened_container.this.vmid
}

output "ipv4" {
  description = "The container's address (without prefix)."
  value       = split("/", var.ipv4)[0]
}

output "compliance" {
  description = "The container checked against the provider's baseline: summary, counts and every rule's finding (excepted ones with their reason)."
  value       = hardened_container.this.compliance
}
