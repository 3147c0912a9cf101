package pvesim

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/fwfile"
)

// Firewall API (pve-firewall src/PVE/API2/Firewall/*.pm) for containers and
// the cluster's security groups and options. Every request reads
// DIR/etc/pve/firewall/cluster.fw and <vmid>.fw, so hand edits are what the
// API shows; writes hold a pmxcfs-style lock (a directory under
// DIR/etc/pve/priv/lock, like PVE::Cluster::cfs_lock_firewall) and replace
// the file atomically (an empty config deletes it, like PVE).
//
// Like PVE, the handlers do not check that the container exists: a missing
// CT simply has no firewall file. A "GROUP x" rule is not checked against the
// existing security groups, and deleting a group does not look for
// references (PVE checks neither).

func (s *Sim) registerFirewallRoutes() {
	r := &s.routes
	const ct = "/nodes/{node}/lxc/{vmid}/firewall"
	r.add("GET", ct, s.handleCTFirewallIndex)
	r.add("GET", ct+"/options", s.fwHandler(s.ctFW, fwOptionsGet))
	r.add("PUT", ct+"/options", s.fwHandler(s.ctFW, fwOptionsPut))
	r.add("GET", ct+"/rules", s.fwHandler(s.ctFW, fwRulesGet))
	r.add("POST", ct+"/rules", s.fwHandler(s.ctFW, fwRuleCreate))
	r.add("GET", ct+"/rules/{pos}", s.fwHandler(s.ctFW, fwRuleGet))
	r.add("PUT", ct+"/rules/{pos}", s.fwHandler(s.ctFW, fwRuleUpdate))
	r.add("DELETE", ct+"/rules/{pos}", s.fwHandler(s.ctFW, fwRuleDelete))
	r.add("GET", ct+"/ipset", s.fwHandler(s.ctFW, fwIPSetList))
	r.add("POST", ct+"/ipset", s.fwHandler(s.ctFW, fwIPSetCreate))
	r.add("GET", ct+"/ipset/{name}", s.fwHandler(s.ctFW, fwIPSetEntries))
	r.add("POST", ct+"/ipset/{name}", s.fwHandler(s.ctFW, fwIPSetAdd))
	r.add("DELETE", ct+"/ipset/{name}", s.fwHandler(s.ctFW, fwIPSetDelete))
	r.add("GET", ct+"/ipset/{name}/{cidr}", s.fwHandler(s.ctFW, fwIPSetEntryGet))
	r.add("PUT", ct+"/ipset/{name}/{cidr}", s.fwHandler(s.ctFW, fwIPSetEntryUpdate))
	r.add("DELETE", ct+"/ipset/{name}/{cidr}", s.fwHandler(s.ctFW, fwIPSetEntryDelete))
	r.add("GET", ct+"/aliases", s.fwHandler(s.ctFW, fwAliasList))
	r.add("POST", ct+"/aliases", s.fwHandler(s.ctFW, fwAliasCreate))
	r.add("GET", ct+"/aliases/{name}", s.fwHandler(s.ctFW, fwAliasGet))
	r.add("PUT", ct+"/aliases/{name}", s.fwHandler(s.ctFW, fwAliasUpdate))
	r.add("DELETE", ct+"/aliases/{name}", s.fwHandler(s.ctFW, fwAliasDelete))

	const cl = "/cluster/firewall"
	r.add("GET", cl+"/groups", s.fwHandler(s.clusterFW, fwGroupList))
	r.add("POST", cl+"/groups", s.handleGroupCreate)
	r.add("GET", cl+"/groups/{group}", s.fwHandler(s.clusterFW, fwRulesGet))
	r.add("POST", cl+"/groups/{group}", s.fwHandler(s.clusterFW, fwRuleCreate))
	r.add("DELETE", cl+"/groups/{group}", s.fwHandler(s.clusterFW, fwGroupDelete))
	r.add("GET", cl+"/groups/{group}/{pos}", s.fwHandler(s.clusterFW, fwRuleGet))
	r.add("PUT", cl+"/groups/{group}/{pos}", s.fwHandler(s.clusterFW, fwRuleUpdate))
	r.add("DELETE", cl+"/groups/{group}/{pos}", s.fwHandler(s.clusterFW, fwRuleDelete))
	r.add("GET", cl+"/options", s.fwHandler(s.clusterFW, fwOptionsGet))
	r.add("PUT", cl+"/options", s.fwHandler(s.clusterFW, fwOptionsPut))
}

// fwLockTimeout is the timeout every firewall API call passes to its lock.
const fwLockTimeout = 10 * time.Second

// cfsLockExpiry is how long pmxcfs honours a lock directory
// (CFS_LOCK_TIMEOUT in pve-cluster's memdb.c).
const cfsLockExpiry = 120 * time.Second

// cfsLock is PVE::Cluster's cfs_lock: mkdir DIR/etc/pve/priv/lock/<lockid>,
// retried until the timeout; a lock older than pmxcfs' 120 s has expired.
// Errors of fn are returned as they are; errors of the locking itself carry
// PVE's "cfs-lock '<id>' error: " prefix.
func (s *Sim) cfsLock(lockid string, timeout time.Duration, fn func() error) error {
	dir := filepath.Join(s.dataDir, "etc/pve/priv/lock")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dief("cfs-lock '%s' error: pve cluster filesystem not online.", lockid)
	}
	p := filepath.Join(dir, lockid)
	deadline := time.Now().Add(timeout)
	for {
		err := os.Mkdir(p, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return dief("cfs-lock '%s' error: %v", lockid, err)
		}
		if st, serr := os.Stat(p); serr == nil && time.Since(st.ModTime()) > s.lockExpiry {
			_ = os.Remove(p)
			continue
		}
		if !time.Now().Before(deadline) {
			return dief("cfs-lock '%s' error: got lock request timeout", lockid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	defer func() { _ = os.Remove(p) }()
	return fn()
}

// expireLocks removes expired cluster locks until the simulator stops.
// pmxcfs removes an expired lock when a waiter sends its unlock request
// (PVE's cfs_lock sends one every second while it waits); the simulator
// stands in for those requests, so a lock a killed writer left behind is gone
// about a second after it expired, whoever waits for it.
func (s *Sim) expireLocks() {
	dir := filepath.Join(s.dataDir, "etc/pve/priv/lock")
	tick := time.NewTicker(min(time.Second, s.lockExpiry/4))
	defer tick.Stop()
	for {
		select {
		case <-s.stopping:
			return
		case <-tick.C:
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > s.lockExpiry {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// fwTarget is the firewall file a request works on.
type fwTarget struct {
	lockID string
	path   string
	load   func() (*fwfile.File, error)
}

func (s *Sim) readFWFile(kind fwfile.Kind, path, name string, cluster *fwfile.File) (*fwfile.File, error) {
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, dief("unable to read '%s' - %v", name, err)
	}
	f := fwfile.ParseFile(kind, name, raw, cluster)
	for _, w := range f.Warnings {
		s.logf("pvesim: %s", w)
	}
	return f, nil
}

// loadClusterFW is load_clusterfw_conf.
func (s *Sim) loadClusterFW() (*fwfile.File, error) {
	return s.readFWFile(fwfile.KindCluster, s.clusterFWPath(), "/etc/pve/firewall/cluster.fw", nil)
}

// loadGuestFW is load_vmfw_conf for a container, verified against cluster.
func (s *Sim) loadGuestFW(vmid int, cluster *fwfile.File) (*fwfile.File, error) {
	return s.readFWFile(fwfile.KindCT, s.fwPath(vmid), fmt.Sprintf("/etc/pve/firewall/%d.fw", vmid), cluster)
}

// saveFW is save_vmfw_conf / save_clusterfw_conf / save_hostfw_conf.
func saveFW(path string, f *fwfile.File) error {
	if err := f.Check(); err != nil {
		return err
	}
	data := f.Render()
	if len(data) == 0 {
		return removeFile(path)
	}
	return atomicWrite(path, data)
}

// ctFW is a container's <vmid>.fw (read together with cluster.fw).
func (s *Sim) ctFW(rc *reqCtx) fwTarget {
	vmid := vmidParam(rc)
	return fwTarget{
		lockID: fmt.Sprintf("firewall-vm-%d", vmid),
		path:   s.fwPath(vmid),
		load: func() (*fwfile.File, error) {
			c, err := s.loadClusterFW()
			if err != nil {
				return nil, err
			}
			return s.loadGuestFW(vmid, c)
		},
	}
}

// clusterFW is cluster.fw.
func (s *Sim) clusterFW(*reqCtx) fwTarget {
	return fwTarget{lockID: "firewall-cluster", path: s.clusterFWPath(), load: s.loadClusterFW}
}

// fwOp is one firewall API method: it reads (write false) or changes the
// file; a change is saved when the op succeeds.
type fwOp struct {
	write bool
	run   func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error)
}

// fwPathParams are the path parameters, not handed to fwfile.
var fwPathParams = map[string]bool{"node": true, "vmid": true, "group": true, "pos": true}

// fwHandler runs an op on the file of target: reads without a lock, writes
// under the file's cfs lock (lock_vmfw_conf / lock_clusterfw_conf, 10 s).
func (s *Sim) fwHandler(target func(*reqCtx) fwTarget, op fwOp) func(*reqCtx) (any, error) {
	return func(rc *reqCtx) (any, error) {
		t := target(rc)
		p := map[string]string{}
		for k, v := range rc.params {
			if !fwPathParams[k] {
				p[k] = v
			}
		}
		if !op.write {
			f, err := t.load()
			if err != nil {
				return nil, err
			}
			out, err := op.run(rc, f, p)
			return out, fwAPIError(err)
		}
		err := s.cfsLock(t.lockID, fwLockTimeout, func() error {
			f, err := t.load()
			if err != nil {
				return err
			}
			if _, err := op.run(rc, f, p); err != nil {
				return err
			}
			return saveFW(t.path, f)
		})
		return nil, fwAPIError(err)
	}
}

// fwAPIError turns fwfile's parameter errors into PVE's 400 answer; other
// errors are dies (500).
func fwAPIError(err error) error {
	var pe fwfile.ParamError
	if errors.As(err, &pe) {
		return paramErr(map[string]string(pe))
	}
	return err
}

// fwPos is the {pos} path parameter. A value that is not Go's canonical
// integer text ("+1", "01", or beyond int range) still prints as given in
// PVE's "no rule at position" message, which interpolates the parameter.
func fwPos(rc *reqCtx) int {
	n, err := strconv.Atoi(rc.str("pos"))
	if err != nil {
		return math.MaxInt
	}
	return n
}

// fwPosErr rewrites "no rule at position N" with the position as sent.
func fwPosErr(rc *reqCtx, err error) error {
	if err != nil && err.Error() == fmt.Sprintf("no rule at position %d", fwPos(rc)) {
		return fmt.Errorf("no rule at position %s", rc.str("pos"))
	}
	return err
}

var (
	fwOptionsGet = fwOp{run: func(_ *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.OptionsAPI(), nil
	}}
	fwOptionsPut = fwOp{write: true, run: func(_ *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.SetOptions(p)
	}}

	fwRulesGet = fwOp{run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.RulesAPI(rc.str("group"))
	}}
	fwRuleCreate = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.CreateRule(rc.str("group"), p)
	}}
	fwRuleGet = fwOp{run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		r, err := f.RuleAPI(rc.str("group"), fwPos(rc))
		return r, fwPosErr(rc, err)
	}}
	fwRuleUpdate = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, fwPosErr(rc, f.UpdateRule(rc.str("group"), fwPos(rc), p))
	}}
	fwRuleDelete = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, fwPosErr(rc, f.DeleteRule(rc.str("group"), fwPos(rc), p["digest"]))
	}}

	fwIPSetList = fwOp{run: func(_ *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.IPSetsAPI(), nil
	}}
	fwIPSetCreate = fwOp{write: true, run: func(_ *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.CreateIPSet(p)
	}}
	fwIPSetEntries = fwOp{run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.IPSetEntriesAPI(rc.str("name"))
	}}
	fwIPSetAdd = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.AddIPSetEntry(rc.str("name"), p)
	}}
	fwIPSetDelete = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return nil, f.DeleteIPSet(rc.str("name"), rc.flag("force"))
	}}
	fwIPSetEntryGet = fwOp{run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.IPSetEntryAPI(rc.str("name"), rc.str("cidr"))
	}}
	fwIPSetEntryUpdate = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.UpdateIPSetEntry(rc.str("name"), rc.str("cidr"), p)
	}}
	fwIPSetEntryDelete = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.DeleteIPSetEntry(rc.str("name"), rc.str("cidr"), p["digest"])
	}}

	fwAliasList = fwOp{run: func(_ *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.AliasesAPI(), nil
	}}
	fwAliasCreate = fwOp{write: true, run: func(_ *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.CreateAlias(p)
	}}
	fwAliasGet = fwOp{run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.AliasAPI(rc.str("name"))
	}}
	fwAliasUpdate = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.UpdateAlias(rc.str("name"), p)
	}}
	fwAliasDelete = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, p map[string]string) (any, error) {
		return nil, f.DeleteAlias(rc.str("name"), p["digest"])
	}}

	fwGroupList = fwOp{run: func(_ *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return f.GroupsAPI(), nil
	}}
	fwGroupDelete = fwOp{write: true, run: func(rc *reqCtx, f *fwfile.File, _ map[string]string) (any, error) {
		return nil, f.DeleteGroup(rc.str("group"))
	}}
)

// handleCTFirewallIndex is GET /nodes/{node}/lxc/{vmid}/firewall.
func (s *Sim) handleCTFirewallIndex(*reqCtx) (any, error) {
	out := []map[string]any{}
	for _, n := range []string{"rules", "aliases", "ipset", "refs", "options"} {
		out = append(out, map[string]any{"name": n})
	}
	return out, nil
}

// handleGroupCreate is POST /cluster/firewall/groups (create_security_group).
// A rename first saves cluster.fw with a copy of the group, then rewrites the
// "GROUP <old>" rules of every node's host.fw and every guest's .fw (each
// under its own lock), then renames cluster.fw's own references and drops the
// old group.
func (s *Sim) handleGroupCreate(rc *reqCtx) (any, error) {
	p := map[string]string{}
	for k, v := range rc.params {
		p[k] = v
	}
	err := s.cfsLock("firewall-cluster", fwLockTimeout, func() error {
		c, err := s.loadClusterFW()
		if err != nil {
			return err
		}
		rn, err := c.CreateGroup(p)
		if err != nil {
			return err
		}
		if err := saveFW(s.clusterFWPath(), c); err != nil || rn == nil {
			return err
		}
		for _, node := range s.nodes {
			path := filepath.Join(s.dataDir, "etc/pve/nodes", node, "host.fw")
			err := s.cfsLock("firewall-host-"+node, fwLockTimeout, func() error {
				h, err := s.readFWFile(fwfile.KindHost, path, "/etc/pve/nodes/"+node+"/host.fw", c)
				if err != nil {
					return err
				}
				h.RenameGroupRefs(rn.From, rn.To)
				return saveFW(path, h)
			})
			if err != nil {
				return err
			}
		}
		for _, vmid := range sortedIDs(s.vmlist()) {
			err := s.cfsLock("firewall-vm-"+strconv.Itoa(vmid), fwLockTimeout, func() error {
				g, err := s.loadGuestFW(vmid, c)
				if err != nil {
					return err
				}
				g.RenameGroupRefs(rn.From, rn.To)
				return saveFW(s.fwPath(vmid), g)
			})
			if err != nil {
				return err
			}
		}
		c.CompleteGroupRename(rn)
		return saveFW(s.clusterFWPath(), c)
	})
	return nil, fwAPIError(err)
}
