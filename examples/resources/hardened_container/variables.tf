variable "admin_ssh_public_key" {
  description = "The administrators' SSH public key, e.g. file(\"~/.ssh/id_ed25519.pub\") in the calling module or TF_VAR_admin_ssh_public_key"
  type        = string
}
