# The fleet's template, downloaded by PVE and kept only when its SHA-512
# matches the one the publisher lists (here: a template of your own build
# server; PVE's appliance templates are listed with their checksums by
# `pveam available` / GET /nodes/{node}/aplinfo).
resource "hardened_template" "debian12" {
  node      = "pve1"
  storage   = "local"
  file_name = "debian-12-standard_12.12-1_amd64.tar.zst"
  url       = "https://images.example.com/lxc/debian-12-standard_12.12-1_amd64.tar.zst"
  checksum  = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
}

resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web"
  ostemplate = hardened_template.debian12.volid
}
