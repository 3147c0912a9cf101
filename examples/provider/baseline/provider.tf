# The organisation's hardening baseline, checked at plan time against every
# hardened_container of this configuration. Unset settings keep seed 000's
# audit checklist (see the policy rule catalogue guide).
provider "hardened" {
  endpoint  = "https://pve1.example.com:8006"
  api_token = var.pve_api_token

  baseline = {
    required_tags   = ["owner-*"]          # HC-TAG-001: every container says who owns it
    max_memory      = 4096                 # HC-CG-001 (MiB)
    max_pids        = 2048                 # HC-CG-004
    allowed_bridges = ["vmbr20", "vmbr30"] # HC-NET-001: never the management bridge
    require_vlan    = true                 # HC-NET-002
    require_onboot  = true                 # HC-OPS-001
    # what may reach the host: bind mounts only of the shared data tree
    # (HC-MNT-001), only the tun device (HC-DEV-001), no hookscripts
    allowed_bind_mount_prefixes = ["/srv/shared"]
    allowed_devices             = ["/dev/net/tun"]
    # rules no team may except
    no_exceptions = ["HC-PRIV-001", "HC-AA-001", "HC-SC-001", "HC-FW-001", "HC-MNT-001", "HC-CFG-001"]
  }
}
