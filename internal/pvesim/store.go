package pvesim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// Paths inside the data directory, mirroring pmxcfs (/etc/pve) and a PVE node.

// ConfRelPath is the cluster-filesystem path PVE prints in its messages.
func ConfRelPath(node string, vmid int) string {
	return fmt.Sprintf("nodes/%s/lxc/%d.conf", node, vmid)
}

func (s *Sim) confPath(node string, vmid int) string {
	return filepath.Join(s.dataDir, "etc/pve", ConfRelPath(node, vmid))
}

func (s *Sim) fwPath(vmid int) string {
	return filepath.Join(s.dataDir, "etc/pve/firewall", strconv.Itoa(vmid)+".fw")
}

func (s *Sim) clusterFWPath() string {
	return filepath.Join(s.dataDir, "etc/pve/firewall/cluster.fw")
}

// atomicWrite replaces a file atomically (temp file + rename), like pmxcfs does
// for a whole-file write. An empty content with removeEmpty deletes the file.
func atomicWrite(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// configKeyType is the schema type of a CT config key, from the real update_vm schema.
func configKeyType(key string) string {
	m := apischema.Embedded().Method("PUT", "/nodes/{node}/lxc/{vmid}/config")
	switch key {
	case "digest", "parent", "snapname":
		return "string"
	case "snaptime":
		return "integer"
	}
	if p := m.ParamFor(key); p != nil {
		return p.Type
	}
	return ""
}

// loadConf reads a CT config like PVE's load_config: a missing file is PVE's error.
func (s *Sim) loadConf(node string, vmid int) (*ctconf.Config, error) {
	raw, err := os.ReadFile(s.confPath(node, vmid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, dief("Configuration file '%s' does not exist", ConfRelPath(node, vmid))
	}
	if err != nil {
		return nil, dief("unable to read '%s' - %v", ConfRelPath(node, vmid), err)
	}
	c := ctconf.Parse(vmid, raw, configKeyType)
	for _, w := range c.Warnings {
		s.logf("pvesim: %s", w)
	}
	return c, nil
}

// writeConf writes a CT config atomically.
func (s *Sim) writeConf(node string, vmid int, c *ctconf.Config) error {
	for _, sec := range append([]*ctconf.Section{c.Main, c.Pending}, sectionValues(c.Snapshots)...) {
		if sec == nil {
			continue
		}
		for k, v := range sec.Keys {
			if strings.ContainsAny(v, "\n\r") {
				return dief("detected invalid newline inside property '%s'", k)
			}
		}
	}
	return atomicWrite(s.confPath(node, vmid), c.Render())
}

func sectionValues(m map[string]*ctconf.Section) []*ctconf.Section {
	out := make([]*ctconf.Section, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// guestEntry is one entry of the cluster-wide VM list (pmxcfs .vmlist).
type guestEntry struct {
	VMID int
	Node string
}

// vmlist scans every node's lxc directory, like pmxcfs' .vmlist.
func (s *Sim) vmlist() map[int]guestEntry {
	out := map[int]guestEntry{}
	for _, n := range s.nodes {
		entries, err := os.ReadDir(filepath.Join(s.dataDir, "etc/pve/nodes", n, "lxc"))
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".conf") || e.IsDir() {
				continue
			}
			id, err := strconv.Atoi(strings.TrimSuffix(name, ".conf"))
			if err != nil || id <= 0 {
				continue
			}
			out[id] = guestEntry{VMID: id, Node: n}
		}
	}
	return out
}

func sortedIDs(m map[int]guestEntry) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// checkVMIDUnused is PVE::Cluster::check_vmid_unused.
func (s *Sim) checkVMIDUnused(vmid int) error {
	if e, ok := s.vmlist()[vmid]; ok {
		return dief("CT %d already exists on node '%s'", vmid, e.Node)
	}
	return nil
}
