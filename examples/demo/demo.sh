#!/usr/bin/env bash
# make demo: build the provider, start the PVE simulator, apply two hardened
# containers, show what was written on the node, tamper with one hardening
# setting by hand, show that `terraform plan` catches it, destroy, stop.
# No network and no Proxmox needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardened-demo.XXXXXX")
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# The CLI: terraform on PATH, or TF=/path/to/terraform-or-tofu (TERRAFORM= works too).
TF=${TF:-${TERRAFORM:-terraform}}
command -v "$TF" >/dev/null || { echo "demo: CLI $TF not found (set TF=/path/to/terraform or TF=/path/to/tofu)" >&2; exit 1; }
"$TF" version 2>/dev/null | sed -n 1p  # sed reads to the end: no SIGPIPE under pipefail
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# apparmor_parser and LXC's abstractions: the provider compiles every
# generated AppArmor profile (installed, or the command to run is printed)
.ci/install-deps demo

step "build the provider and the simulator"
go build -o "$WORK/bin/terraform-provider-hardened" -ldflags "-X main.version=demo" .
go build -o "$WORK/bin/pvesim" ./internal/pvesim/cmd/pvesim
# PVE's pct, which the provider runs on the node to reach inside containers (the SSH policy), emulated
# against the simulator's container root file systems; first on PATH for the provider
mkdir -p "$WORK/pct" && go build -o "$WORK/pct/pct" ./internal/pvesim/cmd/pct
export PATH="$WORK/pct:$PATH"

step "start the PVE 9.1 simulator (nodes pve1, pve2)"
"$WORK/bin/pvesim" -listen 127.0.0.1:0 -data "$WORK/pve" -nodes pve1,pve2 -fast -no-auth-delay >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do grep -q '^endpoint:' "$WORK/sim.log" 2>/dev/null && break; sleep 0.05; done
grep -q '^endpoint:' "$WORK/sim.log" || { cat "$WORK/sim.log"; echo "demo: simulator did not start" >&2; exit 1; }
ENDPOINT=$(awk '/^endpoint:/ {print $2}' "$WORK/sim.log")
TOKEN=$(awk '/^api token:/ {sub(/^PVEAPIToken=/, "", $3); print $3}' "$WORK/sim.log")
CA=$(awk '/^certificate:/ {print $2}' "$WORK/sim.log")
echo "endpoint $ENDPOINT, data in $WORK/pve"

cat >"$WORK/terraformrc" <<RC
provider_installation {
  dev_overrides { "hardened-pve/hardened" = "$WORK/bin" }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$WORK/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export TF_VAR_endpoint="$ENDPOINT" TF_VAR_api_token="$TOKEN" TF_VAR_ca_file="$CA" TF_VAR_node_root="$WORK/pve"
cp examples/demo/main.tf "$WORK/"
cd "$WORK"

step "terraform apply"
"$TF" apply -auto-approve -no-color 2>&1 | grep -v "^Warning: Provider development overrides\|^ - hardened-pve\|^The behavior may\|^and versions\|^published releases\|^The following provider development overrides\|^configuration:\|^applying changes may\|^releases.\|^$" || true
VMID=$("$TF" output -raw web | sed 's|^[^/]*/\([0-9]*\):.*|\1|')

step "what the provider wrote on node pve1: /etc/pve/lxc/$VMID.conf"
cat "$WORK/pve/etc/pve/nodes/pve1/lxc/$VMID.conf"
step "/etc/pve/firewall/$VMID.fw"
cat "$WORK/pve/etc/pve/firewall/$VMID.fw"
step "/etc/pve/firewall/cluster.fw (the datacenter firewall options and the security group)"
cat "$WORK/pve/etc/pve/firewall/cluster.fw"

step "someone weakens the container by hand: AppArmor unconfined, sys_admin kept"
CONF="$WORK/pve/etc/pve/nodes/pve1/lxc/$VMID.conf"
sed -i -e 's/^lxc.cap.drop: .*/lxc.cap.drop: sys_module/' "$CONF"
echo "lxc.apparmor.profile: unconfined" >>"$CONF"
grep '^lxc\.' "$CONF"

step "terraform plan shows the drift"
set +e
"$TF" plan -no-color -detailed-exitcode >"$WORK/plan.txt" 2>&1
rc=$?
set -e
grep -E '^\s+[~+-] |will be updated|Plan:' "$WORK/plan.txt" | grep -v "Warning" || true
[ "$rc" = 2 ] || { cat "$WORK/plan.txt"; echo "demo: expected the plan to show changes (exit 2), got $rc" >&2; exit 1; }

step "terraform apply repairs it"
"$TF" apply -auto-approve -no-color >/dev/null 2>&1
grep '^lxc\.' "$CONF"

step "terraform destroy"
"$TF" destroy -auto-approve -no-color 2>&1 | grep -E "Destroy complete|destroyed" || true
ls "$WORK/pve/etc/pve/nodes/pve1/lxc/" "$WORK/pve/etc/pve/firewall/" 2>/dev/null
step "done: simulator stopped"
