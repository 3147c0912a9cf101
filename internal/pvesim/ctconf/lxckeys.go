package ctconf

import "strings"

// validLXCKeys mirrors $valid_lxc_conf_keys in pve-container src/PVE/LXC/Config.pm:
// an empty string means accepted, a non-empty string is PVE's rejection message.
var validLXCKeys = map[string]string{
	"lxc.apparmor.profile": "", "lxc.apparmor.allow_incomplete": "", "lxc.apparmor.allow_nesting": "",
	"lxc.apparmor.raw": "", "lxc.selinux.context": "", "lxc.include": "", "lxc.arch": "", "lxc.uts.name": "",
	"lxc.signal.halt": "", "lxc.signal.reboot": "", "lxc.signal.stop": "", "lxc.init.cmd": "",
	"lxc.init.cwd": "", "lxc.init.uid": "", "lxc.init.gid": "", "lxc.init.groups": "", "lxc.pty.max": "",
	"lxc.console.logfile": "", "lxc.console.path": "", "lxc.tty.max": "", "lxc.devtty.dir": "",
	"lxc.hook.autodev": "", "lxc.autodev": "", "lxc.kmsg": "", "lxc.mount.fstab": "", "lxc.mount.entry": "",
	"lxc.mount.auto":     "",
	"lxc.rootfs.path":    "lxc.rootfs.path is auto generated from rootfs",
	"lxc.rootfs.mount":   "",
	"lxc.rootfs.options": `lxc.rootfs.options is not supported, please use mount point options in the "rootfs" key`,
	"lxc.cap.drop":       "", "lxc.cap.keep": "", "lxc.seccomp.profile": "", "lxc.seccomp.notify.proxy": "",
	"lxc.seccomp.notify.cookie": "", "lxc.idmap": "", "lxc.hook.pre-start": "", "lxc.hook.pre-mount": "",
	"lxc.hook.mount": "", "lxc.hook.start": "", "lxc.hook.stop": "", "lxc.hook.post-stop": "",
	"lxc.hook.clone": "", "lxc.hook.destroy": "", "lxc.hook.version": "", "lxc.log.level": "",
	"lxc.log.file": "", "lxc.start.auto": "", "lxc.start.delay": "", "lxc.start.order": "", "lxc.group": "",
	"lxc.environment": "", "lxc.environment.runtime": "", "lxc.environment.hooks": "",
	"lxc.sysctl.fs.mqueue": "", "lxc.sysctl.kernel.msgmax": "", "lxc.sysctl.kernel.msgmnb": "",
	"lxc.sysctl.kernel.msgmni": "", "lxc.sysctl.kernel.sem": "", "lxc.sysctl.kernel.shmall": "",
	"lxc.sysctl.kernel.shmmax": "", "lxc.sysctl.kernel.shmmni": "", "lxc.sysctl.kernel.shm_rmid_forced": "",
}

// deprecatedLXCKeys are LXC 2.x names PVE still accepts (with a warning).
var deprecatedLXCKeys = map[string]bool{
	"lxc.aa_profile": true, "lxc.aa_allow_incomplete": true, "lxc.console": true, "lxc.devttydir": true,
	"lxc.haltsignal": true, "lxc.rebootsignal": true, "lxc.stopsignal": true, "lxc.id_map": true,
	"lxc.init_cmd": true, "lxc.loglevel": true, "lxc.logfile": true, "lxc.mount": true,
	"lxc.network.type": true, "lxc.network.flags": true, "lxc.network.link": true, "lxc.network.mtu": true,
	"lxc.network.name": true, "lxc.network.hwaddr": true, "lxc.network.ipv4": true,
	"lxc.network.ipv4.gateway": true, "lxc.network.ipv6": true, "lxc.network.ipv6.gateway": true,
	"lxc.network.script.up": true, "lxc.network.script.down": true, "lxc.pts": true, "lxc.se_context": true,
	"lxc.seccomp": true, "lxc.tty": true, "lxc.utsname": true,
}

// ValidLXCKey reports whether PVE keeps a raw lxc.* key (is_valid_lxc_conf_key).
// When it does not, msg is PVE's specific rejection message or "" for the generic
// "unable to parse config" warning.
func ValidLXCKey(key string) (ok bool, msg string) {
	if strings.HasPrefix(key, "lxc.limit.") || deprecatedLXCKeys[key] {
		return true, ""
	}
	if m, found := validLXCKeys[key]; found {
		return m == "", m
	}
	if strings.HasPrefix(key, "lxc.cgroup.") || strings.HasPrefix(key, "lxc.cgroup2.") ||
		strings.HasPrefix(key, "lxc.prlimit.") || strings.HasPrefix(key, "lxc.net.") {
		return true, ""
	}
	return false, ""
}
