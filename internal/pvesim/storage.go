package pvesim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

// storageDef is one storage of the simulated storage.cfg (a default PVE install).
type storageDef struct {
	id, typ string
	content []string
	total   int64
}

var storages = []storageDef{
	{id: "local", typ: "dir", content: []string{"backup", "iso", "vztmpl"}, total: 100 << 30},
	{id: "local-lvm", typ: "lvmthin", content: []string{"images", "rootdir"}, total: 400 << 30},
}

func findStorage(id string) *storageDef {
	for i := range storages {
		if storages[i].id == id {
			return &storages[i]
		}
	}
	return nil
}

func (sd *storageDef) has(content string) bool {
	for _, c := range sd.content {
		if c == content {
			return true
		}
	}
	return false
}

// template is a preloaded container template. Its file in
// DIR/var/lib/vz/template/cache holds "key=value" lines the simulated
// extraction reads (ostype, arch), so tests can add templates of their own.
type template struct {
	file, ostype, arch string
}

func (t template) content() string { return fmt.Sprintf("ostype=%s\narch=%s\n", t.ostype, t.arch) }

var preloadedTemplates = []template{
	{file: "debian-12-standard_12.12-1_amd64.tar.zst", ostype: "debian", arch: "amd64"},
	{file: "debian-13-standard_13.1-2_amd64.tar.zst", ostype: "debian", arch: "amd64"},
	{file: "alpine-3.22-default_20250617_amd64.tar.xz", ostype: "alpine", arch: "amd64"},
	{file: "ubuntu-24.04-standard_24.04-2_amd64.tar.zst", ostype: "ubuntu", arch: "amd64"},
}

func (s *Sim) templateDir() string { return filepath.Join(s.dataDir, "var/lib/vz/template/cache") }

// readTemplate resolves "local:vztmpl/<file>" and returns its ostype and arch.
func (s *Sim) readTemplate(volid string) (ostype, arch string, err error) {
	sid, name, ok := strings.Cut(volid, ":")
	if !ok {
		return "", "", fmt.Errorf("unable to parse volume ID '%s'", volid)
	}
	sd := findStorage(sid)
	if sd == nil {
		return "", "", fmt.Errorf("storage '%s' does not exist", sid)
	}
	file, ok := strings.CutPrefix(name, "vztmpl/")
	if !ok || sd.typ != "dir" || strings.Contains(file, "/") {
		return "", "", fmt.Errorf("file does not look like a template archive: %s", volid)
	}
	raw, err := os.ReadFile(filepath.Join(s.templateDir(), file))
	if err != nil {
		return "", "", fmt.Errorf("volume '%s' does not exist", volid)
	}
	ostype, arch = "unmanaged", "amd64"
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "ostype":
			ostype = v
		case "arch":
			arch = v
		}
	}
	return ostype, arch, nil
}

// checkRootdirContent is update_pct_config's content-type check for a mount point value.
func (s *Sim) checkRootdirContent(value string) error {
	kv, err := apischema.ParsePropertyString(propDict("rootfs"), value)
	if err != nil {
		return dief("unable to parse mount point: %v", err)
	}
	vol := kv["volume"]
	if strings.HasPrefix(vol, "/") {
		return nil
	}
	sid, _, ok := strings.Cut(vol, ":")
	if !ok {
		return dief("unable to parse volume ID '%s'", vol)
	}
	sd := findStorage(sid)
	if sd == nil {
		return dief("storage '%s' does not exist", sid)
	}
	if !sd.has("rootdir") {
		return dief("storage '%s' does not allow content type 'rootdir' (Container)", sid)
	}
	return nil
}

// allocVolume turns "STORAGE:SIZE" into an allocated volume
// "STORAGE:vm-<vmid>-disk-<n>,size=<SIZE>G" (create_disks), keeping other
// options. taken holds the volumes allocated earlier in the same request
// (not yet in any config file); the new one is added to it.
func (s *Sim) allocVolume(vmid int, opt, value string, taken map[string]bool) (string, error) {
	dict := propDict(opt)
	kv, err := apischema.ParsePropertyString(dict, value)
	if err != nil {
		return "", err
	}
	m := reNewDisk.FindStringSubmatch(kv["volume"])
	if m == nil {
		return value, nil
	}
	sid := m[1]
	sd := findStorage(sid)
	if sd == nil {
		return "", fmt.Errorf("storage '%s' does not exist", sid)
	}
	if !sd.has("rootdir") {
		return "", fmt.Errorf("storage '%s' does not support container directories", sid)
	}
	used := s.allVolumes()
	for n := 0; ; n++ {
		name := fmt.Sprintf("%s:vm-%d-disk-%d", sid, vmid, n)
		if !used[name] && !taken[name] {
			kv["volume"] = name
			taken[name] = true
			break
		}
	}
	kv["size"] = sizeString(m[2])
	return apischema.PrintPropertyString(dict, kv), nil
}

// sizeString prints a GiB size like PVE's format_size (8 -> "8G", 0.5 -> "512M").
func sizeString(gib string) string {
	f, err := strconv.ParseFloat(gib, 64)
	if err != nil {
		return gib + "G"
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%dG", int64(f))
	}
	return fmt.Sprintf("%dM", int64(f*1024))
}

// allVolumes lists every volume referenced by any CT config (rootfs, mp[n], unused[n]).
func (s *Sim) allVolumes() map[string]bool {
	used := map[string]bool{}
	for id, e := range s.vmlist() {
		raw, err := os.ReadFile(s.confPath(e.Node, id))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n") {
			k, v, ok := strings.Cut(line, ": ")
			if !ok || !(k == "rootfs" || reMPKey.MatchString(k) || strings.HasPrefix(k, "unused")) {
				continue
			}
			vol, _, _ := strings.Cut(v, ",")
			vol = strings.TrimPrefix(vol, "volume=")
			used[vol] = true
		}
	}
	return used
}

// volumeSize parses "size=8G" of a mount point value into bytes.
func volumeSize(value string) int64 {
	for _, part := range strings.Split(value, ",") {
		if sz, ok := strings.CutPrefix(part, "size="); ok {
			return parseSize(sz)
		}
	}
	return 0
}

func parseSize(sz string) int64 {
	if sz == "" {
		return 0
	}
	mult := int64(1)
	switch sz[len(sz)-1] {
	case 'K':
		mult = 1 << 10
	case 'M':
		mult = 1 << 20
	case 'G':
		mult = 1 << 30
	case 'T':
		mult = 1 << 40
	}
	if mult > 1 {
		sz = sz[:len(sz)-1]
	}
	f, err := strconv.ParseFloat(sz, 64)
	if err != nil {
		return 0
	}
	return int64(f * float64(mult))
}

// handleStorageIndex is GET /nodes/{node}/storage.
func (s *Sim) handleStorageIndex(rc *reqCtx) (any, error) {
	out := []map[string]any{}
	for _, sd := range storages {
		if rc.checkAny("/storage/"+sd.id, "Datastore.Audit", "Datastore.AllocateSpace") != nil {
			continue
		}
		if want := rc.str("storage"); want != "" && want != sd.id {
			continue
		}
		if want := rc.str("content"); want != "" {
			match := false
			for _, c := range splitList(want) {
				match = match || sd.has(c)
			}
			if !match {
				continue
			}
		}
		used := s.storageUsed(sd.id)
		out = append(out, map[string]any{
			"storage": sd.id, "type": sd.typ, "content": strings.Join(sd.content, ","), "active": 1, "enabled": 1,
			"shared": 0, "total": sd.total, "used": used, "avail": sd.total - used,
			"used_fraction": float64(used) / float64(sd.total),
		})
	}
	return out, nil
}

func (s *Sim) storageUsed(sid string) int64 {
	var used int64
	for _, v := range s.storageContent(sid) {
		used += v["size"].(int64)
	}
	return used
}

func (s *Sim) storageContent(sid string) []map[string]any {
	out := []map[string]any{}
	switch sid {
	case "local":
		entries, _ := os.ReadDir(s.templateDir())
		for _, e := range entries {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			format := "tgz"
			if i := strings.LastIndex(e.Name(), ".tar."); i >= 0 {
				format = "t" + e.Name()[i+5:]
			}
			out = append(out, map[string]any{"volid": "local:vztmpl/" + e.Name(), "content": "vztmpl",
				"format": format, "size": info.Size() + 200<<20, "ctime": info.ModTime().Unix()})
		}
	default:
		for id, e := range s.vmlist() {
			raw, err := os.ReadFile(s.confPath(e.Node, id))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(raw), "\n") {
				k, v, ok := strings.Cut(line, ": ")
				if !ok || !(k == "rootfs" || reMPKey.MatchString(k)) || !strings.HasPrefix(v, sid+":") {
					continue
				}
				vol, _, _ := strings.Cut(v, ",")
				out = append(out, map[string]any{"volid": vol, "content": "rootdir", "format": "raw",
					"size": volumeSize(v), "vmid": id})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["volid"].(string) < out[j]["volid"].(string) })
	return out
}

// handleStorageContent is GET /nodes/{node}/storage/{storage}/content.
func (s *Sim) handleStorageContent(rc *reqCtx) (any, error) {
	sd := findStorage(rc.str("storage"))
	if sd == nil {
		return nil, dief("storage '%s' does not exist", rc.str("storage"))
	}
	out := []map[string]any{}
	for _, v := range s.storageContent(sd.id) {
		if want := rc.str("content"); want != "" && v["content"] != want {
			continue
		}
		if want := rc.str("vmid"); want != "" && fmt.Sprint(v["vmid"]) != want {
			continue
		}
		// only the volumes this user may access (check_volume_access)
		if checkVolumeAccess(rc, v["volid"].(string)) != nil {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}
