# The newest Debian 12 template on node pve1's "local" storage: the fleet
# pins its template by OS and version, not by file name.
data "hardened_templates" "debian12" {
  node    = "pve1"
  storage = "local"
  os      = "debian"
  version = "12"
  arch    = "amd64"
}

resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web"
  ostemplate = data.hardened_templates.debian12.latest
}

output "available_debian_templates" {
  value = [for t in data.hardened_templates.debian12.templates : t.volid]
}
