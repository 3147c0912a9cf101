package seccomp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/guide"
)

const guidePath = "../../templates/guides/seccomp.md.tmpl"

// TestSeccompGuideUpToDate keeps the seccomp guide equal to Markdown();
// with HARDENED_UPDATE_GUIDES=1 it rewrites the guide.
func TestSeccompGuideUpToDate(t *testing.T) {
	guide.Check(t, guidePath, "./internal/seccomp/", Markdown())
}

func TestSeccompMarkdown(t *testing.T) {
	guide := Markdown()
	if strings.Contains(guide, "{{") {
		t.Error("the guide contains {{, which tfplugindocs would read as a template action")
	}
	if !regexp.MustCompile("^---\npage_title: \"Seccomp policies\"\nsubcategory: \"\"\ndescription: \\|-\n  \\S.*\n---\n\n# Seccomp policies\n").MatchString(guide) {
		t.Errorf("front matter:\n%s", guide[:300])
	}
	for _, want := range []string{
		"| `denylist` (default) |", "| `allowlist` |", "| `default` |",
		"`" + Dir + "/hardened-<digest>.seccomp`", "pmxcfs", "migration",
		"* line 1: `2`", "* line 3: `[all]`",
		"```\n2\ndenylist\n[all]\nacct errno 1\n", // the default policy, verbatim
		"`" + Policy{}.Path() + "`",
		"| `umount2` | flags include MNT_FORCE (0x1): `[1,0x1,SCMP_CMP_MASKED_EQ,0x1]` | EACCES (13) | LXC `common.seccomp` |",
		"| `socket` | address family AF_ALG (38): `[0,38,SCMP_CMP_EQ]` | EAFNOSUPPORT (97) | PVE |",
		"| `ioctl` | btrfs ioctls: the request's type byte is BTRFS_IOCTL_MAGIC (0x94): `[1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]` | EPERM (1) | PVE |",
		"| `keyctl` | always | ENOSYS (38) | PVE | `features.keyctl` |",
		"| `bpf` | always | `errno` | provider |  |",
		"ioctl allow [1,0x100,SCMP_CMP_MASKED_EQ,0x100]\n", // the allowlist excerpt
		"ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]\n",
		"| `fchmodat2` | 452 | Linux 6.6 | yes |",
		"| `file_getattr` | 468 | Linux 6.17 | no: unknown syscall |",
	} {
		if !strings.Contains(guide, want) {
			t.Errorf("guide lacks %q", want)
		}
	}
	for _, e := range DefaultDenylist() {
		row := "| `" + e.Syscall + "` | "
		if !strings.Contains(guide, row) {
			t.Errorf("denylist table lacks %s", e.Syscall)
		}
		if !strings.Contains(guide, md(e.Reason)+" |\n") {
			t.Errorf("denylist table lacks the reason of %s", e.Syscall)
		}
	}
	for _, n := range DeliberatelyNotDenied() {
		if !strings.Contains(guide, "| "+codeList(n.Syscalls, "")+" | "+n.Reason+" |\n") {
			t.Errorf("not-denied table lacks %v", n.Syscalls)
		}
	}
	if !strings.Contains(guide, codeList(EssentialSyscalls(), "")) {
		t.Error("the guide lacks the essential syscalls")
	}
	// No raw HTML: < and > only inside code spans and code blocks.
	codeSpan := regexp.MustCompile("`[^`]*`")
	inBlock := false
	for i, line := range strings.Split(guide, "\n") {
		if line == "```" {
			inBlock = !inBlock
			continue
		}
		if rest := codeSpan.ReplaceAllString(line, ""); !inBlock && strings.ContainsAny(rest, "<>") {
			t.Errorf("line %d has raw < or >: %s", i+1, line)
		}
	}
	if inBlock {
		t.Error("unclosed code block")
	}
}

func TestNotDenied(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range notDenied {
		if n.Reason == "" || len(n.Syscalls) == 0 {
			t.Errorf("%v: empty group or reason", n)
		}
		for _, s := range n.Syscalls {
			if !KnownSyscall(s) {
				t.Errorf("%s is not a known syscall", s)
			}
			if seen[s] {
				t.Errorf("%s is listed twice", s)
			}
			seen[s] = true
			for _, e := range baseline {
				if e.Syscall == s && e.Cond == nil {
					t.Errorf("%s is listed as not denied, but the baseline denies it", s)
				}
			}
		}
	}
	// The copy does not share the table's slices.
	d := DeliberatelyNotDenied()
	d[0].Syscalls[0] = "changed"
	if notDenied[0].Syscalls[0] == "changed" {
		t.Error("DeliberatelyNotDenied shares its slices with the table")
	}
}

func TestConditionText(t *testing.T) {
	for _, e := range baseline {
		if (e.Cond != nil) != (e.Condition != "") {
			t.Errorf("%s: Cond %v with Condition %q: a conditional entry needs the words, only it", e.Syscall, e.Cond, e.Condition)
		}
	}
	for _, e := range DefaultDenylist() {
		if e.Errno != 0 && ErrnoName(e.Errno) == "" {
			t.Errorf("%s: errno %d has no name", e.Syscall, e.Errno)
		}
	}
}
