package hardening

import (
	"fmt"
	"strings"
)

// KeysMarkdown is the guide of the configuration's key classes
// (templates/guides/config-keys.md.tmpl), generated from the tables the
// provider acts on.
func KeysMarkdown() string {
	var b strings.Builder
	b.WriteString("---\npage_title: \"Configuration keys: a closed world\"\nsubcategory: \"\"\ndescription: |-\n" +
		"  Every key of a container's configuration, PVE's and raw lxc.*, and what the provider does with it.\n---\n\n")
	b.WriteString("# Configuration keys: a closed world\n\n")
	b.WriteString("Every key of a `hardened_container`'s configuration (`/etc/pve/lxc/<vmid>.conf`) is in exactly one class:\n\n" +
		"* **managed**: a typed attribute, validated at plan time, read back, repaired by apply;\n" +
		"* **harmless**: observed and left alone, for the reason given;\n" +
		"* **unmanaged**: drift. It shows in `unmanaged_config` (plan shows it being removed), apply removes it under PVE's config lock " +
		"with the digest check, and `compliance` and `hardened_audit` fail HC-CFG-001.\n\n" +
		"A key in no table below, a key nobody thought of, is unmanaged. So are sub-options of a managed property string the provider " +
		"does not model (e.g. `net0: ...,link_down=1`, `mp0: ...,shared=1`) and a numbered key after a gap (`mp3` without `mp2`).\n\n")
	b.WriteString("## PVE keys\n\n| key | class | attribute or reason |\n|---|---|---|\n")
	for _, k := range PVEKeyTable() {
		what := "`" + k.Attribute + "`"
		if k.Class != KeyManaged {
			what = k.Reason
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.Key, k.Class, what)
	}
	b.WriteString("\n## Raw `lxc.*` keys\n\n" +
		"The provider owns every raw `lxc.*` line of the file (but `lxc.environment.runtime`, which is PVE's `env`). " +
		"The observation applies LXC's own semantics per key (`src/lxc/confile.c`, proven against real LXC 5.0): `lxc.cap.drop` and " +
		"`lxc.cap.keep` fill one list and accumulate; an empty value of either key clears the whole list, so the container keeps **every** " +
		"capability (an empty `lxc.cap.drop` ends keep mode too, an empty `lxc.cap.keep` forgets the drops); `none` in `lxc.cap.keep` keeps " +
		"nothing; LXC refuses to start a container whose lines keep beside drops (or drop in keep mode) without an empty line between, " +
		"or name an unknown capability; " +
		"single-value keys take the last line, an empty `lxc.seccomp.profile` removes every seccomp filter, a missing `lxc.cgroup2.pids.max` " +
		"is no limit. Lines of any other key are shown verbatim in `raw_lxc`, so a hand-added line is drift that apply removes.\n\n" +
		"Classes: **typed** keys are written from an attribute; **raw** keys may be declared in `raw_lxc`, each needing an exception of " +
		"HC-RAW-001; **forbidden** keys defeat the hardening and are refused at plan time, exception or not; **invalid** keys are " +
		"refused by PVE itself. The first matching row decides (a trailing `*` matches any rest).\n\n")
	b.WriteString("| key | class | attribute or reason |\n|---|---|---|\n")
	for _, k := range LXCKeyTable() {
		what := "`" + k.Attribute + "`"
		if k.Class != LXCTyped {
			what = k.Reason
		}
		if k.Key == "lxc.mount.*" {
			what += " (`lxc.mount.auto` passes in `raw_lxc` only with read-only or mixed values: " + codeList(SafeMountAuto) + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.Key, k.Class, what)
	}
	b.WriteString("| any other `lxc.*` key | invalid | PVE does not accept it (`is_valid_lxc_conf_key`): it warns and drops the " +
		"line. LXC 2.x names (`lxc.aa_profile`, `lxc.network.*`, ...) are forbidden. |\n")
	b.WriteString("\n## Host paths and devices that never pass\n\n" +
		"Bind mounts (`mount_points[*].host_path`) of these host paths, anything under them or any parent of them: " + codeList(ProtectedHostPaths) +
		". Devices: " + codeList(ForbiddenDevices) + ".\n")
	return b.String()
}

func codeList(l []string) string {
	q := make([]string, len(l))
	for i, x := range l {
		q[i] = "`" + x + "`"
	}
	return strings.Join(q, ", ")
}
