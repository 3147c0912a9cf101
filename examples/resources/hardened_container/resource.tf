# A web container: unprivileged, seed-000 capability drops, cgroup limits,
# default-deny firewall with only SSH from management and HTTPS in, DNS and
# HTTPS out.
resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-web-team"]

  ssh_public_keys = [file("~/.ssh/id_ed25519.pub")]

  cores     = 2
  cpu_limit = 1.5
  memory    = 1024
  swap      = 512
  pids_max  = 200

  rootfs = {
    storage       = "local-lvm"
    size          = 8
    mount_options = ["nodev", "nosuid"]
  }

  # capabilities defaults to seed 000's drop list; the strictest posture is
  # "drop all, keep only these":
  capabilities = {
    keep = ["chown", "dac_override", "fowner", "kill", "net_bind_service", "setgid", "setuid"]
  }

  network = [{
    name         = "eth0"
    bridge       = "vmbr20"
    vlan         = 20
    ipv4         = "10.0.20.15/24"
    ipv4_gateway = "10.0.20.1"
  }]

  firewall = {
    # enabled, policy_in = DROP, policy_out = DROP, macfilter, ipfilter are the defaults
    rules = [
      { type = "in", action = "ACCEPT", macro = "SSH", source = "10.0.10.0/24", comment = "SSH from management only" },
      { type = "in", action = "ACCEPT", proto = "tcp", dport = "443", comment = "HTTPS from anywhere" },
      { type = "out", action = "ACCEPT", proto = "tcp", dport = "443", comment = "HTTPS outbound" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53", dest = "10.0.20.1", comment = "DNS" },
    ]
  }

  apparmor_profile = "generated"
}
