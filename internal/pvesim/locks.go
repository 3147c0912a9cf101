package pvesim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ConfigLockPath is the PVE path of a container's config lock
// (pve-container PVE::LXC::Config->config_file_lock). The simulator takes a real
// flock on DIR + this path, so a client that locks the same file (the provider's
// local node channel) is mutually exclusive with the simulator, exactly as with PVE.
func ConfigLockPath(vmid int) string {
	return fmt.Sprintf("/run/lock/lxc/pve-config-%d.lock", vmid)
}

var errLockTimeout = errors.New("got timeout")

// lockFile takes an exclusive flock on DIR+path, polling until timeout like
// PVE::Tools::lock_file_full, and returns the unlock function.
func (s *Sim) lockFile(path string, timeout time.Duration) (func(), error) {
	full := filepath.Join(s.dataDir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, fmt.Errorf("can't open file - %w", err)
	}
	f, err := os.OpenFile(full, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open file - %w", err)
	}
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	for {
		err = flock(f, lockExclusiveNB)
		if err == nil {
			return func() {
				_ = flock(f, lockUnlock)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - %w", path, err)
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - %w", path, errLockTimeout)
		}
		time.Sleep(delay)
		if delay < 20*time.Millisecond {
			delay *= 2
		}
	}
}

// withConfigLock runs fn holding the CT's config lock (lock_config: 10 s timeout).
func (s *Sim) withConfigLock(vmid int, timeout time.Duration, fn func() error) error {
	unlock, err := s.lockFile(ConfigLockPath(vmid), timeout)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}
