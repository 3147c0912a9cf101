package nodefs

// The node channel as a non-root SSH user with sudo, against this host's
// real sshd and real sudo: users created with useradd, rules installed in
// /etc/sudoers.d (see internal/testutil/sudouser).

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sudoers"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/sudouser"
)

const (
	// sudoContractUser holds the documented rules plus the programs the
	// contract's Run tests execute.
	sudoContractUser = "hardened-test-contract"
	// sudoDocUser holds exactly the documented rules (sudoers.File).
	sudoDocUser = "hardened-test-sudo"
	// noSudoUser holds no sudo rule at all.
	noSudoUser = "hardened-test-nosudo"
)

// contractCommands are what the contract's Run tests execute (sudo finds
// them through Debian's secure_path).
var contractCommands = []sudoers.Command{
	{Path: "/usr/bin/printf"}, {Path: "/usr/bin/cat"}, {Path: "/usr/bin/sh"}, {Path: "/usr/bin/true"}, {Path: "/usr/bin/sleep"},
}

// isSudoChannel reports whether f runs its commands through sudo (whose
// cancellation reaches the command, not the command's children).
func isSudoChannel(f FS) bool {
	s, ok := f.(*sshFS)
	return ok && s.sudo
}

// openForUsers makes root and its parent (test directories, 0700) traversable
// for the login user, whose flock(1) opens the lock files below root, as
// it opens /run/lock/lxc/... on a node.
func openForUsers(t *testing.T, root string) {
	t.Helper()
	for _, p := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(p, 0o755); err != nil { //nolint:gosec // G302: test directories
			t.Fatal(err)
		}
	}
}

func sudoConfig(d *testSSHD, user, root string) SSHConfig {
	cfg := d.Config(root)
	cfg.User = user
	cfg.Sudo = true
	return cfg
}

// TestSSHSudoContract: the whole node channel contract holds for a
// non-root user whose every file operation and command runs as root
// through sudo.
func TestSSHSudoContract(t *testing.T) {
	sudouser.Ensure(t, sudoContractUser)
	sudouser.Grant(t, sudoers.File(sudoContractUser, "", append(append([]sudoers.Command(nil), sudoers.Commands...), contractCommands...)...))
	d := startSSHD(t, sshdOptions{OtherUsers: true})
	runContract(t, func(t *testing.T, root string) FS {
		openForUsers(t, root)
		return dialForTest(t, sudoConfig(d, sudoContractUser, root))
	})
	if log := d.Log(); !strings.Contains(log, "Accepted publickey for "+sudoContractUser) {
		t.Errorf("the tests did not log in as %s:\n%s", sudoContractUser, log)
	}
}

// TestSSHSudoIsRoot: with exactly the documented rules, files are root's
// (written in a directory only root may enter, owned by root, links read
// there: the node identity check), while the same user without sudo is
// refused; a command sudo allows runs as root, one it does not allow fails
// with ErrSudoRefused, and an allowed command's own failure stays a plain
// *RunError.
func TestSSHSudoIsRoot(t *testing.T) {
	sudouser.Ensure(t, sudoDocUser)
	sudouser.Grant(t, sudoers.File(sudoDocUser, ""))
	d := startSSHD(t, sshdOptions{OtherUsers: true})
	root := t.TempDir() // 0700 root: the login user cannot even look inside
	ctx := context.Background()

	plain := d.Config(root)
	plain.User = sudoDocUser
	f := dialForTest(t, plain)
	if err := f.WriteFileAtomic(ctx, "/etc/pve/x", []byte("x"), 0o640); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("without sudo, writing below a root-only directory: %v; want permission denied", err)
	}

	f = dialForTest(t, sudoConfig(d, sudoDocUser, root))
	mustWrite(t, f, "/etc/pve/nodes/pve1/lxc/100.conf", []byte("arch: amd64\n"), 0o640)
	fi, err := os.Stat(filepath.Join(root, "etc/pve/nodes/pve1/lxc/100.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || fi.Mode().Perm() != 0o640 {
		t.Fatalf("file written through sudo: uid %d mode %v; want root's, 0640", st.Uid, fi.Mode())
	}
	if err := os.Symlink("/etc/pve/nodes/pve1", filepath.Join(root, "etc/pve/local")); err != nil {
		t.Fatal(err)
	}
	if got, err := f.(Readlinker).Readlink(ctx, "/etc/pve/local"); err != nil || got != "/etc/pve/nodes/pve1" {
		t.Fatalf("Readlink(/etc/pve/local) = %q, %v", got, err)
	}

	// apparmor_parser is allowed: a broken profile is its own failure
	if _, err := os.Stat("/usr/sbin/apparmor_parser"); err == nil {
		_, _, err := f.Run(ctx, []string{"apparmor_parser", "--skip-kernel-load", "--skip-cache"}, []byte("profile broken {\n"))
		var re *RunError
		if !errors.As(err, &re) || errors.Is(err, ErrSudoRefused) {
			t.Fatalf("apparmor_parser on a broken profile = %v; want its own *RunError", err)
		}
	}
	// printf is not in the rules
	_, _, err = f.Run(ctx, []string{"printf", "x"}, nil)
	var se *SudoError
	if !errors.Is(err, ErrSudoRefused) || !errors.As(err, &se) || se.Program != "printf" || se.User != sudoDocUser {
		t.Fatalf("Run(printf) without a rule = %v; want a *SudoError", err)
	}
	for _, want := range []string{"sudo on " + d.Addr(), "a password is required", "/etc/sudoers.d/", "sudo -n -l printf"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	t.Log(err)
}

// TestSSHSudoNotAllowed: a user without a sudo rule gets the provider's
// explanation when the channel opens (not a hang, not an SFTP protocol
// error), and so does a wrong SFTP server path.
func TestSSHSudoNotAllowed(t *testing.T) {
	sudouser.Ensure(t, noSudoUser)
	sudouser.Ensure(t, sudoDocUser)
	sudouser.Grant(t, sudoers.File(sudoDocUser, ""))
	d := startSSHD(t, sshdOptions{OtherUsers: true})
	for _, tc := range []struct {
		name, user, server, detail string
	}{
		{"no rule", noSudoUser, "", "sudo: a password is required"},
		{"other server", sudoDocUser, "/usr/lib/openssh/sftp-server-elsewhere", "sudo: a password is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cfg := sudoConfig(d, tc.user, t.TempDir())
			cfg.SFTPServer = tc.server
			f, err := DialSSH(ctx, cfg)
			if err == nil {
				_ = f.Close()
				t.Fatal("DialSSH succeeded")
			}
			var se *SudoError
			if !errors.As(err, &se) || !errors.Is(err, ErrSudoRefused) || se.User != tc.user {
				t.Fatalf("DialSSH = %v; want a *SudoError", err)
			}
			server := tc.server
			if server == "" {
				server = sudoers.SFTPServer
			}
			if !strings.Contains(err.Error(), tc.detail) || !strings.Contains(err.Error(), "run "+server+" as root") {
				t.Fatalf("error %q lacks sudo's reason or the program", err)
			}
			t.Log(err)
		})
	}
}

// TestSSHSudoHostKeyStillVerified: sudo changes nothing about host keys.
func TestSSHSudoHostKeyStillVerified(t *testing.T) {
	sudouser.Ensure(t, sudoDocUser)
	d := startSSHD(t, sshdOptions{OtherUsers: true})
	cfg := sudoConfig(d, sudoDocUser, t.TempDir())
	cfg.KnownHostsFile = d.WrongKnownHostsFile
	if _, err := DialSSH(context.Background(), cfg); !errors.Is(err, ErrHostKeyMismatch) {
		t.Fatalf("DialSSH with sudo and a wrong known key = %v; want ErrHostKeyMismatch", err)
	}
}
