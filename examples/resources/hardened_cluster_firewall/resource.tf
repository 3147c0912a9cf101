# The datacenter firewall, on (PVE's default is off: while it is off, no
# container's firewall rule is in effect and HC-FW-004 fails for every
# container). Every other setting shown is its default.
resource "hardened_cluster_firewall" "dc" {
  enable         = true
  policy_in      = "DROP"   # traffic to the nodes no host rule allows
  policy_out     = "ACCEPT" # the nodes' own outbound traffic
  policy_forward = "ACCEPT"
  ebtables       = true # layer 2 rules (each container's MAC filter)

  log_ratelimit = {
    enable = true
    rate   = "1/second"
    burst  = 5
  }
}

# A container whose firewall takes effect only once the datacenter firewall
# is on: its compliance reports HC-FW-004 until then (a plan warning, not an
# error, so one apply creates both).
resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-web"]
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.20.15/24", ipv4_gateway = "10.0.20.1" }]

  firewall = {
    rules = [{ type = "in", action = "ACCEPT", proto = "tcp", dport = "443" }]
  }

  depends_on = [hardened_cluster_firewall.dc]
}
