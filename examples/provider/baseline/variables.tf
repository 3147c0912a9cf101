variable "pve_api_token" {
  description = "PVE API token: user@realm!tokenid=secret"
  type        = string
  sensitive   = true
}
