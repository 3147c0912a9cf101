#!/usr/bin/env bash
# make proof: the demo's configuration (examples/demo/main.tf) applied with
# Terraform through the provider against the PVE simulator whose containers
# run in real LXC, unprivileged, on this machine; then a static probe inside
# each running container (lxc-attach) checks every control, and a table a
# security reviewer can read is printed: container | control | configured |
# observed inside the running container | result. Needs root, lxc,
# busybox-static and apparmor (make deps). AppArmor cannot be enforced in a
# kernel without it: generated profiles are compiled with the real
# apparmor_parser instead, and the table says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardened-proof.XXXXXX")
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ]; then
    # the simulator stops every container and removes them (SIGTERM)
    kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
TF=${TF:-${TERRAFORM:-terraform}}
command -v "$TF" >/dev/null || { echo "proof: CLI $TF not found (set TF=/path/to/terraform or TF=/path/to/tofu)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "proof: real LXC containers need root" >&2; exit 1; }
for tool in lxc-start lxc-attach busybox apparmor_parser; do
  command -v "$tool" >/dev/null || { echo "proof: $tool is missing: run make deps (.ci/install-deps)" >&2; exit 1; }
done
step() { printf '\n== %s\n' "$*"; }

step "build the provider, the simulator and the probe"
go build -o "$WORK/bin/terraform-provider-hardened" -ldflags "-X main.version=proof" .
go build -o "$WORK/bin/pvesim" ./internal/pvesim/cmd/pvesim
# PVE's pct, which the provider runs on the node to reach inside containers (the SSH policy), emulated
# against the simulator's container root file systems; first on PATH for the provider
mkdir -p "$WORK/pct" && go build -o "$WORK/pct/pct" ./internal/pvesim/cmd/pct
export PATH="$WORK/pct:$PATH"
go build -o "$WORK/bin/proof" ./internal/conformance/cmd/proof
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -o "$WORK/bin/probe" ./internal/conformance/probe

step "start the PVE 9.1 simulator with the real-LXC backend (nodes pve1, pve2)"
"$WORK/bin/pvesim" -listen 127.0.0.1:0 -data "$WORK/pve" -nodes pve1,pve2 -fast -no-auth-delay \
  -lxc -lxc-file "/probe=$WORK/bin/probe" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do grep -q '^control:' "$WORK/sim.log" 2>/dev/null && break; sleep 0.05; done
grep -q '^control:' "$WORK/sim.log" || { cat "$WORK/sim.log"; echo "proof: simulator did not start" >&2; exit 1; }
ENDPOINT=$(awk '/^endpoint:/ {print $2}' "$WORK/sim.log")
TOKEN=$(awk '/^api token:/ {sub(/^PVEAPIToken=/, "", $3); print $3}' "$WORK/sim.log")
CA=$(awk '/^certificate:/ {print $2}' "$WORK/sim.log")
LXC_PATH=$(awk '/^lxc path:/ {print $3}' "$WORK/sim.log")
grep '^lxc path:' "$WORK/sim.log"

cat >"$WORK/terraformrc" <<RC
provider_installation {
  dev_overrides { "hardened-pve/hardened" = "$WORK/bin" }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$WORK/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export TF_VAR_endpoint="$ENDPOINT" TF_VAR_api_token="$TOKEN" TF_VAR_ca_file="$CA" TF_VAR_node_root="$WORK/pve"
cp examples/demo/main.tf "$WORK/"
ROOT=$PWD
cd "$WORK"

step "terraform apply (examples/demo/main.tf)"
"$TF" apply -auto-approve -no-color >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log"; exit 1; }
grep -E 'Apply complete' "$WORK/apply.log"
"$TF" show -json >"$WORK/state.json"

step "inside the running containers"
rc=0
"$WORK/bin/proof" -state "$WORK/state.json" -lxc-path "$LXC_PATH" -data "$WORK/pve" || rc=$?

step "terraform destroy"
"$TF" destroy -auto-approve -no-color 2>&1 | grep -E "Destroy complete" || true
cd "$ROOT"
exit "$rc"
