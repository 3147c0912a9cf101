# A profile in /etc/apparmor.d/lxc/ is imported by its name; a profile this
# provider rendered from settings comes back as settings, any other as raw.
terraform import hardened_apparmor_profile.web lxc-webserver
