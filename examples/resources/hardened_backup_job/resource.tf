# Every guest of the cluster backed up every night (seed 000's "Automated
# backup snapshot configured (Proxmox scheduled backup)"): with this job no
# container fails HC-BAK-001, including containers created later.
resource "hardened_backup_job" "nightly" {
  id       = "nightly"
  schedule = "21:00"
  storage  = "pbs" # a Proxmox Backup Server storage keeps backups off the node
  all      = true
  exclude  = [9000] # a scratch container nobody needs back
  mode     = "snapshot"
  compress = "zstd"

  prune_backups = {
    keep_daily   = 7
    keep_weekly  = 4
    keep_monthly = 6
  }
  notes_template = "{{guestname}} ({{vmid}}) on {{node}}"
  comment        = "every guest, nightly"
}

# A weekly full-downtime backup of one database container, only on its node.
resource "hardened_backup_job" "db_weekly" {
  id       = "db-weekly"
  schedule = "sat 03:00"
  storage  = "pbs"
  node     = "pve1"
  vmids    = [hardened_container.db.vmid]
  mode     = "stop"
}

resource "hardened_container" "db" {
  node       = "pve1"
  hostname   = "db01"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.30.5/24" }]
}
