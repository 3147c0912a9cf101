# Everything from the environment (the bpg/proxmox provider's variables work):
#   export PROXMOX_VE_ENDPOINT=https://pve1.example.com:8006
#   export PROXMOX_VE_API_TOKEN='terraform@pve!hardened=...'
#   export PROXMOX_VE_SSH_PRIVATE_KEY="$(cat ~/.ssh/pve_ed25519)"
provider "hardened" {}
