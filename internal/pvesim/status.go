package pvesim

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// handleStatusIndex is GET /nodes/{node}/lxc/{vmid}/status.
func (s *Sim) handleStatusIndex(rc *reqCtx) (any, error) {
	if _, err := s.loadConf(rc.str("node"), vmidParam(rc)); err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, c := range []string{"current", "start", "stop", "shutdown", "reboot", "suspend", "resume"} {
		out = append(out, map[string]any{"subdir": c})
	}
	return out, nil
}

// handleStatusCurrent is GET /nodes/{node}/lxc/{vmid}/status/current.
func (s *Sim) handleStatusCurrent(rc *reqCtx) (any, error) {
	d, err := s.vmStatus(rc.str("node"), vmidParam(rc))
	if err != nil {
		return nil, err
	}
	d["ha"] = map[string]any{"managed": 0}
	return d, nil
}

func (s *Sim) checkSkiplock(rc *reqCtx) error {
	if rc.flag("skiplock") && !rc.isRoot() {
		return paramErr(map[string]string{"skiplock": "Only root may use this option."})
	}
	return nil
}

// handleStart is POST .../status/start (vm_start).
func (s *Sim) handleStart(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	if err := s.checkSkiplock(rc); err != nil {
		return nil, err
	}
	if _, err := s.loadConf(node, vmid); err != nil {
		return nil, err
	}
	if _, running := s.isRunning(vmid); running {
		return nil, dief("CT %d already running", vmid)
	}
	skiplock := rc.flag("skiplock")
	return s.startTask(node, "vzstart", strconv.Itoa(vmid), rc.user, s.timing.Start, func(t *task) error {
		return s.doStart(t, node, vmid, skiplock)
	}, nil), nil
}

// doStart applies pending changes and starts the CT under the config lock. Config
// parse warnings (deprecated or invalid lines) become task warnings like in PVE.
func (s *Sim) doStart(t *task, node string, vmid int, skiplock bool) error {
	return s.withConfigLock(vmid, 10*time.Second, func() error {
		c, err := s.loadConf(node, vmid)
		if err != nil {
			return err
		}
		for _, w := range c.Warnings {
			t.warn("%s", w)
		}
		if c.Main.Keys["template"] == "1" {
			return fmt.Errorf("you can't start a CT if it's a template")
		}
		if l := c.Main.Keys["lock"]; l != "" && !skiplock && l != "mounted" {
			return fmt.Errorf("CT is locked (%s)", l)
		}
		if _, running := s.isRunning(vmid); running {
			return fmt.Errorf("CT %d already running", vmid)
		}
		if c.Pending != nil {
			errs := map[string]string{}
			s.applyPending(c, errs)
			for k, e := range errs {
				t.warn("%s: %s", k, e)
			}
			if err := s.writeConf(node, vmid, c); err != nil {
				return err
			}
		}
		if err := s.backend.Start(context.Background(), node, vmid, c); err != nil {
			var lxcErr *LXCStartError
			if errors.As(err, &lxcErr) {
				// vm_start: print_ct_stderr_log, then PVE's own message only
				for _, l := range lxcErr.Lines {
					t.logf("%s", l)
				}
				return fmt.Errorf("startup for container '%d' failed", vmid)
			}
			return fmt.Errorf("startup for container '%d' failed: %w", vmid, err)
		}
		pid := s.nextPid()
		if r, ok := s.backend.(runningReporter); ok {
			if p, ok := r.running(vmid); ok && p > 0 {
				pid = p
			}
		}
		if err := s.writeProc(vmid, pid, c); err != nil {
			return err
		}
		s.setRunning(vmid, &runState{node: node, since: time.Now(), pid: pid})
		return nil
	})
}

// handleStop covers stop and shutdown (vm_stop / vm_shutdown).
func (s *Sim) handleStop(kind string) func(rc *reqCtx) (any, error) {
	return func(rc *reqCtx) (any, error) {
		node, vmid := rc.str("node"), vmidParam(rc)
		if err := s.checkSkiplock(rc); err != nil {
			return nil, err
		}
		if _, err := s.loadConf(node, vmid); err != nil {
			return nil, err
		}
		if _, running := s.isRunning(vmid); !running {
			return nil, dief("CT %d not running", vmid)
		}
		typ, d := "vzstop", s.timing.Stop
		if kind == "shutdown" {
			typ, d = "vzshutdown", s.timing.Shutdown
		}
		skiplock := rc.flag("skiplock")
		return s.startTask(node, typ, strconv.Itoa(vmid), rc.user, d, func(t *task) error {
			c, err := s.loadConf(node, vmid)
			if err != nil {
				return err
			}
			if l := c.Main.Keys["lock"]; l != "" && !skiplock && l != "mounted" {
				return fmt.Errorf("CT is locked (%s)", l)
			}
			if err := s.backend.Stop(context.Background(), node, vmid, kind == "stop"); err != nil {
				return err
			}
			s.setRunning(vmid, nil)
			return nil
		}, nil), nil
	}
}

// handleReboot is POST .../status/reboot: shutdown and start, applying pending changes.
func (s *Sim) handleReboot(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	if _, err := s.loadConf(node, vmid); err != nil {
		return nil, err
	}
	if _, running := s.isRunning(vmid); !running {
		return nil, dief("VM %d not running", vmid)
	}
	return s.startTask(node, "vzreboot", strconv.Itoa(vmid), rc.user, s.timing.Reboot, func(t *task) error {
		if err := s.backend.Stop(context.Background(), node, vmid, false); err != nil {
			return err
		}
		s.setRunning(vmid, nil)
		return s.doStart(t, node, vmid, false)
	}, nil), nil
}
