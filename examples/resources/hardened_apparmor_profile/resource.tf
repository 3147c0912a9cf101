# A named profile for web containers that mount NFS: the hardened denies,
# mounts allowed only for nfs, and one extra rule. Containers use it with
#   apparmor_profile = hardened_apparmor_profile.web.name
resource "hardened_apparmor_profile" "web" {
  name = "lxc-webserver"
  settings = {
    deny_mount     = false
    mount_fs_types = ["nfs"]
    extra_rules    = ["deny /srv/secret/** rw,"]
  }
  # nodes defaults to every online node, so the containers can migrate
}
