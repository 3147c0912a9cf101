package nodefs

// The real OpenSSH sshd these tests run against comes from
// internal/testutil/sshd (shared with the provider's acceptance tests); this
// file only adapts it to the names the tests use.

import (
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/sshd"
)

type sshdOptions = sshd.Options

type testSSHD struct{ *sshd.Server }

// startSSHD starts a private sshd on 127.0.0.1 and a free port (skipped
// without /usr/sbin/sshd unless HARDENED_TEST_REQUIRE lists "sshd").
func startSSHD(t testing.TB, opts sshdOptions) *testSSHD {
	t.Helper()
	return &testSSHD{sshd.Start(t, opts)}
}

// Config returns an SSHConfig for this server with the client key, the
// known_hosts file and the given root.
func (d *testSSHD) Config(root string) SSHConfig {
	return SSHConfig{
		Host: d.Host, Port: d.Port, User: d.User,
		PrivateKey:     d.ClientKeyPEM,
		KnownHostsFile: d.KnownHostsFile,
		Root:           root,
		Timeout:        10 * time.Second,
	}
}

func genKey(t testing.TB, typ string, passphrase []byte) ([]byte, ssh.Signer) {
	t.Helper()
	return sshd.GenKey(t, typ, passphrase)
}

func knownHostsLine(addr string, key ssh.PublicKey) string { return sshd.KnownHostsLine(addr, key) }

func writeFile(t testing.TB, path, content string, perm os.FileMode) {
	t.Helper()
	sshd.WriteFile(t, path, content, perm)
}

func freePort() (int, error) { return sshd.FreePort() }
