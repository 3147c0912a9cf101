# A web container: unprivileged, seed-000 capability drops, cgroup limits,
# default-deny firewall with only SSH from management and HTTPS in (through
# the platform team's security group), DNS and HTTPS out.
resource "hardened_security_group" "web" {
  name    = "webservers"
  comment = "web tier: HTTPS in"
  rules = [
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "HTTPS from anywhere" },
  ]
}

resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-web-team"]

  ssh_public_keys = [var.admin_ssh_public_key]

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

  # Default deny in both directions (seed 000): only what the service needs.
  firewall = {
    # enabled, policy_in = DROP, policy_out = DROP, macfilter, ipfilter (with
    # the derived ipfilter-net0 = 10.0.20.15) and radv = false are the defaults
    log_level_in = "info" # log what the inbound policy drops

    aliases = {
      resolver = { cidr = "10.0.20.1", comment = "DNS resolver" }
    }
    ipsets = {
      management = {
        comment = "admin workstations"
        entries = [
          { cidr = "10.0.10.0/24" },
          { cidr = "10.0.10.99", nomatch = true, comment = "shared kiosk" },
        ]
      }
    }

    # Order is semantic: the first matching rule decides.
    rules = [
      { type = "group", action = hardened_security_group.web.name, iface = "net0" },
      { type = "in", action = "ACCEPT", macro = "SSH", source = "+management", comment = "SSH from management only" },
      { type = "out", action = "ACCEPT", proto = "tcp", dport = "443", comment = "HTTPS outbound (updates)" },
      { type = "out", action = "ACCEPT", macro = "DNS", dest = "resolver", comment = "DNS" },
      { type = "in", action = "DROP", proto = "tcp", dport = "23", log = "warning", comment = "log telnet probes" },
    ]
  }

  # AppArmor: the default is a profile the provider generates (lxc-hardened-<digest>,
  # on every node): LXC's container base plus denies of raw/packet sockets, ptrace,
  # writes to /proc/sys and /sys, and mounts.
  apparmor = {
    extra_rules = ["deny /srv/secrets/** rwklx,"]
  }

  # Seccomp: the hardened denylist (the default) plus two more syscalls this
  # service never makes. Names are checked against the x86_64 table at plan time.
  seccomp = {
    mode     = "denylist"
    syscalls = ["kcmp", "process_vm_writev"]
  }

  # A data volume (nodev,nosuid by default) for the site's content.
  mount_points = [
    { path = "/srv/www", storage = "local-lvm", size = 4, backup = true, mount_options = ["nodev", "nosuid", "noexec"] },
  ]

  # The runtime environment: checked for secrets at plan time (HC-SEC-001),
  # so the service gets a path to its secret, never the secret.
  environment = {
    LANG         = "C.UTF-8"
    TLS_KEY_FILE = "/run/secrets/tls.key"
  }

  # Per-process limits; the default is { core = "0", nofile = "1024:65535" }.
  prlimits = { core = "0", nofile = "4096:65535", nproc = "512" }

  # sshd inside the container: root login off, keys only and a banner are
  # enforced by default wherever the template ships OpenSSH; this adds a
  # banner of our own and one login user. Written with pct push, read back
  # with pct exec ... sshd -T (ssh_server = { enabled = false } opts out).
  ssh_server = {
    banner      = "Authorised use only. Activity is logged."
    allow_users = ["deploy"]
  }

  # Everything else in the container's config (devices, hookscript, raw lxc.*
  # lines, keys the schema does not know) is drift: plan shows it in
  # unmanaged_config / raw_lxc and apply removes it.
}

# A VPN gateway: the tun device is passed through (the baseline must list it
# in allowed_devices, HC-DEV-001) and one raw LXC line the schema lacks is
# declared with its reason (HC-RAW-001). Keys that defeat the hardening
# (lxc.idmap, lxc.apparmor.*, lxc.cgroup2.devices.allow, lxc.mount.entry, ...)
# are refused at plan time, exception or not.
resource "hardened_container" "vpn" {
  node       = "pve1"
  hostname   = "vpn01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-net-team"]

  devices = [{ path = "/dev/net/tun", mode = "0666" }]
  raw_lxc = ["lxc.cgroup2.io.weight: 50"]

  exceptions = [
    { rule = "HC-RAW-001", reason = "low I/O weight for the VPN tier (ticket NET-77)" },
  ]
}

# A build runner that needs nested containers: the baseline forbids the nesting
# feature (HC-FEAT-001), so the deviation is declared, with its reason, where
# every reviewer (and the plan JSON) sees it.
resource "hardened_container" "runner" {
  node       = "pve1"
  hostname   = "ci-runner01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-build-team"]

  features = { nesting = true }
  apparmor = { deny_mount = false } # nested containers mount their own /proc and /sys

  exceptions = [
    { rule = "HC-FEAT-001", reason = "CI runner builds container images (reviewed by platform, ticket SEC-142)" },
  ]
}

output "runner_compliance" {
  value = hardened_container.runner.compliance.summary # "36 pass, 0 fail, 1 excepted (HC-FEAT-001)"
}
