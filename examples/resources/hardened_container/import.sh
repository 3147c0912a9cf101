# Import an existing container by <node>/<vmid>. The root password, SSH keys
# and template cannot be read back from PVE; the configuration's values are
# adopted without replacing the container.
terraform import hardened_container.web pve1/101
