# A template already in a storage is imported by <node>/<volid>. PVE does not
# keep the URL or the checksum: the configuration's values are adopted.
terraform import hardened_template.debian12 pve1/local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst
