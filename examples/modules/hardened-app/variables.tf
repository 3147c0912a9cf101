variable "name" {
  description = "Host name of the container (a DNS label)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label: lower-case letters, digits and hyphens."
  }
}

variable "node" {
  description = "PVE node that runs the container."
  type        = string
}

variable "owner" {
  description = "The owning team; the container is tagged owner-<owner> (the baseline requires an owner-* tag)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.owner))
    error_message = "owner must be lower-case letters, digits and hyphens (it becomes the PVE tag owner-<owner>)."
  }
}

variable "vlan" {
  description = "VLAN of the container's network segment (one of the platform's networks: 20 web, 30 data); the bridge and gateway follow from it."
  type        = number
}

variable "ipv4" {
  description = "Static IPv4 address with prefix, inside the segment's subnet, e.g. 10.0.20.15/24."
  type        = string
}

variable "size" {
  description = "small (1 core, 512 MiB), medium (2 cores, 1 GiB) or large (4 cores, 4 GiB): cores, memory, swap, pids and disk together."
  type        = string
  default     = "small"

  validation {
    condition     = contains(["small", "medium", "large"], var.size)
    error_message = "size must be small, medium or large."
  }
}

variable "cores" {
  description = "CPU cores instead of the size's."
  type        = number
  default     = null
}

variable "memory" {
  description = "Memory in MiB instead of the size's. Above the baseline's max_memory the container needs an exception for HC-CG-001."
  type        = number
  default     = null
}

variable "pids_max" {
  description = "Process limit instead of the size's."
  type        = number
  default     = null
}

variable "disk_gb" {
  description = "Root disk in GiB instead of the size's (changing it replaces the container)."
  type        = number
  default     = null
}

variable "firewall_rules" {
  description = "The service's own firewall rules, after the platform's (SSH from management, DNS to the gateway). Inbound and outbound traffic no rule accepts is dropped."
  type = list(object({
    type      = string
    action    = string
    macro     = optional(string)
    proto     = optional(string)
    source    = optional(string)
    dest      = optional(string)
    sport     = optional(string)
    dport     = optional(string)
    icmp_type = optional(string)
    iface     = optional(string)
    log       = optional(string)
    comment   = optional(string)
    enabled   = optional(bool)
  }))
  default = []
}

variable "exceptions" {
  description = "Deliberate deviations from the baseline, passed to hardened_container: a rule ID and the reason (reviewed by the platform team)."
  type = list(object({
    rule   = string
    reason = string
  }))
  default = []
}

variable "ssh_public_keys" {
  description = "OpenSSH public keys for root (set at creation only)."
  type        = list(string)
  default     = []
}

variable "description" {
  description = "Notes shown in the PVE UI (no secrets: the baseline rejects secret-looking values)."
  type        = string
  default     = null
}

variable "ostemplate" {
  description = "Template volume."
  type        = string
  default     = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
}
