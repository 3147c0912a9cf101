package nodefs

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError reports a failed host key verification.
type HostKeyError struct {
	Addr           string   // host:port dialled
	KnownHostsFile string   // file consulted
	KeyType        string   // type of the key the server presented
	Fingerprint    string   // SHA256 fingerprint of the key the server presented
	Known          []string // known_hosts entries for the host: "file:line type fingerprint"
	Mismatch       bool     // true: the host is known with another key; false: unknown host
	Revoked        bool     // the presented key is marked @revoked
	PortHint       string   // set when only a port-22 entry exists for a host dialled on another port
}

func (e *HostKeyError) Error() string {
	host, port := splitHostPort(e.Addr)
	norm := knownhosts.Normalize(e.Addr)
	switch {
	case e.Revoked:
		return fmt.Sprintf("host key for %s is marked @revoked in known_hosts (%s): the server presented %s key %s; refusing to connect",
			e.Addr, e.KnownHostsFile, e.KeyType, e.Fingerprint)
	case e.Mismatch:
		return fmt.Sprintf("host key for %s does not match known_hosts (%s): possible man-in-the-middle; "+
			"the server presented %s key %s but known_hosts has %s. "+
			"If the node's host key changed legitimately, remove the old entry with `ssh-keygen -R %s -f %s` "+
			"and add the new key after checking its fingerprint on the node",
			e.Addr, e.KnownHostsFile, e.KeyType, e.Fingerprint, strings.Join(e.Known, ", "),
			Quote(norm), Quote(e.KnownHostsFile))
	default:
		msg := fmt.Sprintf("host %s is not in known_hosts %s; add it with `ssh-keyscan -p %s %s >> %s` "+
			"after checking that the node's %s key fingerprint is %s (on the node: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), "+
			"or set the known hosts file to one that lists it (disabling host key checking is possible but insecure)",
			e.Addr, e.KnownHostsFile, port, Quote(host), Quote(e.KnownHostsFile), e.KeyType, e.Fingerprint)
		if e.PortHint != "" {
			msg += "; note: " + e.PortHint
		}
		return msg
	}
}

// Is makes errors.Is(err, ErrHostKeyMismatch / ErrHostKeyUnknown) work.
func (e *HostKeyError) Is(target error) bool {
	if e.Mismatch || e.Revoked {
		return target == ErrHostKeyMismatch
	}
	return target == ErrHostKeyUnknown
}

// hostKeyVerifier builds the host key callback and the host key algorithms
// to negotiate (those of the keys known for the host, so that a server with
// several host keys presents one that known_hosts can vouch for).
func hostKeyVerifier(cfg SSHConfig, addr string, logf func(string, ...any)) (ssh.HostKeyCallback, []string, error) {
	if cfg.InsecureIgnoreHostKey {
		return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
			logf("WARNING: ssh host key verification is DISABLED for %s (insecure_ignore_host_key): "+
				"the connection is open to man-in-the-middle attacks; the server presented %s key %s",
				addr, key.Type(), ssh.FingerprintSHA256(key))
			return nil
		}, nil, nil
	}
	file := cfg.KnownHostsFile
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil, fmt.Errorf("ssh: no known_hosts file given and no home directory: %w", err)
		}
		file = filepath.Join(home, ".ssh", "known_hosts")
	}
	cb, err := knownHostsCallback(file, logf)
	if err != nil {
		return nil, nil, err
	}
	known := knownKeys(cb, addr)
	var algos []string
	for _, k := range known {
		for _, a := range algorithmsForKeyType(k.Key.Type()) {
			if !contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	callback := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		if err == nil {
			return nil
		}
		return explainHostKeyError(err, cb, addr, file, key)
	}
	return callback, algos, nil
}

// explainHostKeyError turns the known_hosts callback's error for key into a
// *HostKeyError that says what is known for the host and what to do.
func explainHostKeyError(err error, cb ssh.HostKeyCallback, addr, file string, key ssh.PublicKey) error {
	hkErr := &HostKeyError{
		Addr: addr, KnownHostsFile: file,
		KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key),
	}
	var keyErr *knownhosts.KeyError
	var revErr *knownhosts.RevokedError
	switch {
	case errors.As(err, &revErr):
		hkErr.Revoked = true
		hkErr.Known = []string{describeKnownKey(revErr.Revoked)}
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		hkErr.Mismatch = true
		for _, k := range keyErr.Want {
			hkErr.Known = append(hkErr.Known, describeKnownKey(k))
		}
	case errors.As(err, &keyErr):
		if host, port := splitHostPort(addr); port != "22" && len(knownKeys(cb, net.JoinHostPort(host, "22"))) > 0 {
			hkErr.PortHint = fmt.Sprintf("%s has entries for %s on port 22 only; an entry for port %s is written [%s]:%s",
				file, host, port, host, port)
		}
	default:
		return fmt.Errorf("ssh: verify host key of %s against %s: %w", addr, file, err)
	}
	return hkErr
}

// knownHostsCallback reads the known_hosts file. A missing file knows no
// hosts: the connection fails with the "not in known_hosts" explanation,
// naming the file.
func knownHostsCallback(file string, logf func(string, ...any)) (ssh.HostKeyCallback, error) {
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		logf("ssh: known_hosts file %s does not exist", file)
		return knownhosts.New()
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("ssh: read known_hosts: %w", err)
	}
	return cb, nil
}

// knownKeys lists the known_hosts keys recorded for addr, by probing the
// callback with a key that is never in known_hosts.
func knownKeys(cb ssh.HostKeyCallback, addr string) []knownhosts.KnownKey {
	probe, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())
	if err != nil {
		return nil
	}
	err = cb(addr, &net.TCPAddr{IP: net.IPv4zero, Port: 22}, probe)
	var keyErr *knownhosts.KeyError
	if errors.As(err, &keyErr) {
		return keyErr.Want
	}
	return nil
}

func algorithmsForKeyType(t string) []string {
	switch t {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	default:
		return []string{t}
	}
}

func describeKnownKey(k knownhosts.KnownKey) string {
	return fmt.Sprintf("%s:%d %s %s", k.Filename, k.Line, k.Key.Type(), ssh.FingerprintSHA256(k.Key))
}

func splitHostPort(addr string) (host, port string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, "22"
	}
	return host, port
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
