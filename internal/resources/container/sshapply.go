package container

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// sshRule is the rule the SSH observation decides.
const sshRule = "HC-SSH-001"

// sshMemoKey is the private state key holding the init pid of the running
// container in which no sshd was found: while the same init runs, a
// refresh does not look again (no pct call per refresh for a container
// without OpenSSH); after a restart it looks once more.
const sshMemoKey = "ssh_absent_pid"

// sshModelOf reads an ssh_server value; ok is false when it is null or
// unknown.
func sshModelOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) (sshServerModel, bool) {
	var m sshServerModel
	if o.IsNull() || o.IsUnknown() {
		return m, false
	}
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	return m, true
}

func (m sshServerModel) enabled() bool {
	return m.Enabled.IsNull() || m.Enabled.IsUnknown() || m.Enabled.ValueBool()
}

func sshObject(ctx context.Context, m sshServerModel, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValueFrom(ctx, sshServerAttrTypes, m)
	diags.Append(d...)
	return o
}

// applySSH enforces the policy inside the running container. It looks for
// sshd (pct exec sshd -T) unless the plan knows there is none, and returns
// what it found (the plan's value when it did not look). explicit: the
// configuration has an ssh_server block (a container without sshd is then
// a warning).
func (r *containerResource) applySSH(ctx context.Context, plan containerModel, node string, vmid int, explicit bool,
	diags *diag.Diagnostics) (types.Bool, error) {
	pm, ok := sshModelOf(ctx, plan.SSHServer, diags)
	if !ok || !pm.enabled() || (!pm.Installed.IsUnknown() && !pm.Installed.IsNull() && !pm.Installed.ValueBool()) {
		return pm.Installed, nil
	}
	p, _ := sshPolicy(ctx, plan.SSHServer, diags)
	if errs := p.Validate(); len(errs) > 0 {
		return pm.Installed, errors.Join(errs...)
	}
	fs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		return pm.Installed, err
	}
	g, _ := guest.ObserveSSH(ctx, fs, vmid)
	switch {
	case g.Stopped:
		return pm.Installed, guest.ErrNotRunning
	case !g.Observed:
		return pm.Installed, fmt.Errorf("looking for the container's OpenSSH server: %s. Set ssh_server = { enabled = false } to leave sshd alone", g.Reason)
	case !g.Installed:
		if explicit {
			diags.AddAttributeWarning(path.Root("ssh_server"), "The container has no OpenSSH server",
				fmt.Sprintf("ssh_server is set, but CT %d has no sshd (pct exec %d -- sshd -T: command not found): nothing to enforce, and nothing "+
					"listens. Install openssh-server in the template to have the policy enforced, or remove ssh_server.", vmid, vmid))
		}
		return types.BoolValue(false), nil
	}
	return types.BoolValue(true), writeSSHPolicy(ctx, guest.Channel{FS: fs}, p, node, vmid, diags)
}

// writeSSHPolicy writes the banner, the drop-in and the main file's
// Include through pct push, checks sshd accepts the result (sshd -t), and
// reloads sshd. Until sshd has accepted it nothing is final: when a write
// fails or sshd refuses the result (e.g. an OpenSSH too old for a keyword
// of the drop-in), the files are put back as they were, so the running
// sshd and the next one to start (a restart of the container) keep a
// configuration they accept and nobody is locked out.
func writeSSHPolicy(ctx context.Context, ch guest.Channel, p sshdconfig.Policy, node string, vmid int, diags *diag.Diagnostics) error {
	tflog.Debug(ctx, "writing the SSH policy", map[string]any{"node": node, "vmid": vmid})
	banner := p.RenderBanner()
	paths := []string{sshdconfig.MainConfig, sshdconfig.DropIn}
	if banner != nil {
		paths = append(paths, sshdconfig.BannerFile)
	}
	saved, err := ch.Save(ctx, vmid, paths...)
	switch {
	case err != nil:
		return fmt.Errorf("reading sshd's files before the change: %w", err)
	case saved[0].Missing:
		return fmt.Errorf("%s does not exist in the container", sshdconfig.MainConfig)
	}
	if err := pushSSHPolicy(ctx, ch, p, banner, saved[0].Data, vmid); err != nil {
		if rerr := ch.Restore(ctx, vmid, saved, 0o644); rerr != nil {
			return fmt.Errorf("%w; putting sshd's previous files back failed too (check %s in CT %d by hand): %w",
				err, strings.Join(paths, ", "), vmid, rerr)
		}
		return fmt.Errorf("%w. CT %d's sshd files are back as they were, so sshd keeps a configuration it accepts; "+
			"if this OpenSSH cannot take the policy, set ssh_server = { enabled = false } for this container", err, vmid)
	}
	if err := reloadSSHD(ctx, ch, vmid, diags); err != nil {
		return err
	}
	return verifySSHPolicy(ctx, ch, p, vmid)
}

// pushSSHPolicy writes the policy's files (main is the main file's
// current content) and has sshd check the result.
func pushSSHPolicy(ctx context.Context, ch guest.Channel, p sshdconfig.Policy, banner, main []byte, vmid int) error {
	if banner != nil {
		if err := ch.Push(ctx, vmid, sshdconfig.BannerFile, banner, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", sshdconfig.BannerFile, err)
		}
	}
	if err := ch.Push(ctx, vmid, sshdconfig.DropIn, p.RenderDropIn(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", sshdconfig.DropIn, err)
	}
	// the drop-in is read before anything else: no earlier file in
	// sshd_config.d and no line of the main file can override it
	if fixed, changed := sshdconfig.EnsureIncludeFirst(main); changed {
		if err := ch.Push(ctx, vmid, sshdconfig.MainConfig, fixed, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", sshdconfig.MainConfig, err)
		}
	}
	if _, err := ch.Exec(ctx, vmid, "sshd", "-t"); err != nil {
		return fmt.Errorf("sshd refuses its configuration with the policy written (sshd -t): %w", err)
	}
	return nil
}

// verifySSHPolicy reads the effective configuration back (the probe:
// sshd -T and sshd -T -C per probe connection) after the policy was
// written: what the drop-in cannot override stays, e.g. a Match block
// elsewhere that adds AllowUsers entries (sshd adds up AllowUsers over
// every matching block instead of keeping the first). Apply then fails
// with what differs instead of leaving a perpetual diff.
func verifySSHPolicy(ctx context.Context, ch guest.Channel, p sshdconfig.Policy, vmid int) error {
	g, probed := guest.ObserveSSH(ctx, ch.FS, vmid)
	if !g.Observed || !g.Installed {
		return fmt.Errorf("reading sshd's configuration back after the policy was written: %s", g)
	}
	drift := sshdconfig.Compare(p, probed.Weakest())
	if len(drift) == 0 {
		return nil
	}
	msgs := make([]string, len(drift))
	for i, d := range drift {
		msgs[i] = d.String()
	}
	return fmt.Errorf("the SSH policy is written into CT %d (%s, included first from %s), but sshd still has in effect for some connection: "+
		"%s. Something the drop-in cannot override keeps it, e.g. a Match block that adds AllowUsers (sshd adds those up over every "+
		"matching block): find it with sshd -T -C user=<user>,host=<address>,addr=<address>,lport=22 inside the container and remove it",
		vmid, sshdconfig.DropIn, sshdconfig.MainConfig, strings.Join(msgs, "; "))
}

// reloadSSHD has a running sshd re-read its configuration; one that is not
// running (e.g. Ubuntu's socket-activated ssh before its first connection)
// reads it when it starts. The unit is ssh.service on Debian and Ubuntu,
// sshd.service elsewhere (systemctl exits 5 for a unit it does not know).
// A container without systemd (OpenRC, runit) gets a warning: the policy
// is written and in effect for the next sshd, but the provider cannot tell
// the running one.
func reloadSSHD(ctx context.Context, ch guest.Channel, vmid int, diags *diag.Diagnostics) error {
	for _, unit := range []string{"ssh", "sshd"} {
		_, err := ch.Exec(ctx, vmid, "systemctl", "try-reload-or-restart", unit)
		var re *nodefs.RunError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, guest.ErrNoCommand):
			diags.AddAttributeWarning(path.Root("ssh_server"), "sshd was not reloaded",
				fmt.Sprintf("The SSH policy is written into CT %d and sshd -T shows it in effect, but the container has no systemctl, so the "+
					"sshd that runs now keeps its old configuration until it restarts: restart it inside the container (e.g. rc-service sshd "+
					"restart) or restart the container.", vmid))
			return nil
		case errors.As(err, &re) && re.ExitCode == 5:
			continue // no such unit: try the other name
		default:
			return fmt.Errorf("reloading sshd: %w", err)
		}
	}
	diags.AddAttributeWarning(path.Root("ssh_server"), "sshd was not reloaded",
		fmt.Sprintf("The SSH policy is written into CT %d, but systemd knows neither ssh.service nor sshd.service: restart sshd inside the "+
			"container for it to take effect.", vmid))
	return nil
}

// observeSSH reads the container's OpenSSH server back: the attribute
// (prior is what was planned or last observed) and HC-SSH-001's
// observation. A stopped container keeps the prior values. A container in
// which no sshd was found costs no pct call while the same init runs
// (memo: its pid); apply: the plan's installed is not looked at again.
// The returned memo is the pid to remember (0: none).
func (r *containerResource) observeSSH(ctx context.Context, prior types.Object, node string, vmid int, running bool, pid, memo int, apply bool,
	diags *diag.Diagnostics) (types.Object, hardening.GuestSSH, int) {
	pm, ok := sshModelOf(ctx, prior, diags)
	if !ok {
		d := defaultSSHServer()
		pm, _ = sshModelOf(ctx, types.ObjectValueMust(sshServerAttrTypes, withAttr(d.Attributes(), "installed", types.BoolNull())), diags)
	}
	if pm.Installed.IsUnknown() {
		pm.Installed = types.BoolNull()
	}
	keep := func(g hardening.GuestSSH, memo int) (types.Object, hardening.GuestSSH, int) {
		return sshObject(ctx, pm, diags), g, memo
	}
	if !running || r.clients == nil {
		return keep(hardening.GuestSSH{Stopped: true}, memo)
	}
	if !pm.enabled() && !r.clients.Baseline.RequireSSHPolicy {
		return keep(hardening.GuestSSH{}, memo) // neither managed nor checked: no pct call
	}
	absent := !pm.Installed.IsNull() && !pm.Installed.ValueBool()
	if absent && (apply || (pid != 0 && pid == memo)) {
		if memo == 0 {
			memo = pid // e.g. a create, which has just looked
		}
		return keep(hardening.GuestSSH{Observed: true}, memo)
	}
	fs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		diags.AddWarning("The SSH server could not be checked", err.Error()+". HC-SSH-001 fails until it can be.")
		return keep(hardening.GuestSSH{Reason: err.Error()}, memo)
	}
	g, probed := guest.ObserveSSH(ctx, fs, vmid)
	switch {
	case g.Stopped:
		return keep(g, memo)
	case !g.Observed:
		diags.AddWarning("The SSH server could not be checked", g.Reason+". HC-SSH-001 fails until it can be.")
		return keep(g, memo)
	case !g.Installed:
		pm.Installed = types.BoolValue(false)
		return keep(g, pid)
	}
	pm.Installed = types.BoolValue(true)
	if pm.enabled() {
		effectiveSSH(ctx, probed, &pm, diags)
	}
	return keep(g, 0)
}

// effectiveSSH sets the policy attributes from sshd's effective
// configuration, the weakest value of any probe connection (a Match block
// that weakens the policy for some connection shows), and the banner file
// the probe read.
func effectiveSSH(ctx context.Context, probed sshdconfig.Probed, pm *sshServerModel, diags *diag.Diagnostics) {
	eff := probed.Weakest()
	priorBanner := pm.Banner
	pm.PermitRootLogin = types.StringValue(first(eff["permitrootlogin"]))
	pm.KeyOnly = types.BoolValue(first(eff["passwordauthentication"]) == "no" && first(eff["kbdinteractiveauthentication"]) == "no" &&
		first(eff["permitemptypasswords"]) == "no" && first(eff["pubkeyauthentication"]) == "yes" &&
		first(eff["challengeresponseauthentication"]) != "yes") // OpenSSH < 8.7 prints it on its own
	pm.AllowUsers = types.ListNull(types.StringType)
	switch b := first(eff["banner"]); b {
	case "none", "":
		pm.Banner = types.StringValue("")
	case sshdconfig.BannerFile:
		if probed.BannerFound {
			pm.Banner = types.StringValue(bannerText(string(probed.Banner), priorBanner))
		} else {
			pm.Banner = types.StringValue(bannerNotManaged + "missing " + b)
		}
	default:
		pm.Banner = types.StringValue(bannerNotManaged + b)
	}
	if users := sshdconfig.Users(eff); len(users) > 0 {
		l, d := types.ListValueFrom(ctx, types.StringType, users)
		diags.Append(d...)
		pm.AllowUsers = l
	}
}

func withAttr(m map[string]attr.Value, k string, v attr.Value) map[string]attr.Value {
	out := make(map[string]attr.Value, len(m))
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// bannerText is the banner file's content as the attribute holds it: the
// newline RenderBanner adds is dropped unless the configured banner ends
// with one.
func bannerText(content string, prior types.String) string {
	if strings.HasSuffix(prior.ValueString(), "\n") {
		return content
	}
	return strings.TrimSuffix(content, "\n")
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// withInstalled sets ssh_server.installed.
func withInstalled(ctx context.Context, o types.Object, installed types.Bool, diags *diag.Diagnostics) types.Object {
	if o.IsNull() || o.IsUnknown() {
		return o
	}
	v, d := types.ObjectValue(sshServerAttrTypes, withAttr(o.Attributes(), "installed", installed))
	diags.Append(d...)
	return v
}

func sshMemoOf(ctx context.Context, p privateGetter) int {
	b, _ := p.GetKey(ctx, sshMemoKey)
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0
	}
	return n
}

// sshMemoValue is the private state value for a memo (nil removes it).
func sshMemoValue(pid int) []byte {
	if pid == 0 {
		return nil
	}
	return []byte(strconv.Itoa(pid))
}
