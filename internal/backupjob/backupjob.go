// Package backupjob is the framework-free model of a PVE scheduled backup
// job (/cluster/backup; pve-manager PVE/API2/Backup.pm): its managed
// options, their plan-time checks (what PVE would refuse), the API
// parameters that create or update it, and its reading back from the API.
package backupjob

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Modes and compressions PVE accepts (apidata.json enums).
var (
	Modes        = []string{"snapshot", "suspend", "stop"}
	Compressions = []string{"0", "1", "gzip", "lzo", "zstd"}
	// PruneKeys are the prune-backups keys, keep-all first.
	PruneKeys = []string{"keep-all", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"}
)

// Job is one backup job's managed options.
type Job struct {
	ID            string
	Schedule      string
	Enabled       bool
	Storage       string
	Mode          string
	Compress      string
	Node          string // "": runs on every node
	All           bool
	Exclude       []int
	Pool          string
	VMIDs         []int
	Prune         map[string]int // nil: the storage's retention; "keep-all" is 0/1
	NotesTemplate string
	Comment       string
	RepeatMissed  bool
}

// Coverage is the part of the job that decides which containers it backs up.
func (j Job) Coverage() hardening.BackupJob {
	return hardening.BackupJob{ID: j.ID, Enabled: j.Enabled, Schedule: j.Schedule, Node: j.Node, All: j.All,
		Exclude: j.Exclude, Pool: j.Pool, VMIDs: j.VMIDs}
}

// Values reads what the API answers for a job (GET /cluster/backup): a
// map of JSON values (numbers as float64, prune-backups as an object).
type Values interface {
	String(key string) (string, bool)
}

// FromAPI reads a job from its API object; prune is the prune-backups
// object (nil when absent).
func FromAPI(v Values, prune map[string]any) Job {
	str := func(k string) string { s, _ := v.String(k); return s }
	flag := func(k string, def bool) bool {
		s, ok := v.String(k)
		if !ok {
			return def
		}
		return s == "1" || s == "true"
	}
	j := Job{ID: str("id"), Schedule: str("schedule"), Enabled: flag("enabled", true), Storage: str("storage"),
		Mode: str("mode"), Compress: str("compress"), Node: str("node"), All: flag("all", false), Pool: str("pool"),
		NotesTemplate: str("notes-template"), Comment: str("comment"), RepeatMissed: flag("repeat-missed", false),
		VMIDs: ParseVMIDs(str("vmid")), Exclude: ParseVMIDs(str("exclude"))}
	if j.Mode == "" {
		j.Mode = "snapshot" // PVE's default
	}
	if j.Compress == "" {
		j.Compress = "0"
	}
	if prune != nil {
		j.Prune = map[string]int{}
		for k, x := range prune {
			n, _ := strconv.Atoi(fmt.Sprint(x))
			j.Prune[k] = n
		}
	}
	return j
}

// ParseVMIDs reads a pve-vmid-list ("100,101", ";" or space separated too);
// entries that are not numbers are skipped, the rest sorted.
func ParseVMIDs(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' }) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

func vmidList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// PruneString is the prune-backups property string, keys in PruneKeys order.
func PruneString(p map[string]int) string {
	var parts []string
	for _, k := range PruneKeys {
		if n, ok := p[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	return strings.Join(parts, ",")
}

func boolParam(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateParams are the POST /cluster/backup parameters for j.
func (j Job) CreateParams() map[string]any {
	p := map[string]any{"id": j.ID, "schedule": j.Schedule, "enabled": boolParam(j.Enabled), "storage": j.Storage,
		"mode": j.Mode, "compress": j.Compress, "repeat-missed": boolParam(j.RepeatMissed)}
	for k, v := range map[string]string{"node": j.Node, "pool": j.Pool, "notes-template": j.NotesTemplate, "comment": j.Comment,
		"vmid": vmidList(j.VMIDs), "exclude": vmidList(j.Exclude)} {
		if v != "" {
			p[k] = v
		}
	}
	if j.All {
		p["all"] = 1
	}
	if j.Prune != nil {
		p["prune-backups"] = PruneString(j.Prune)
	}
	return p
}

// UpdateParams are the PUT /cluster/backup/{id} parameters that make the
// job j: every managed option set, the unset ones deleted. The selection
// is set as a whole (PVE drops the other selection keys when one is set).
func (j Job) UpdateParams() map[string]any {
	p := j.CreateParams()
	delete(p, "id")
	var del []string
	for _, k := range []string{"node", "notes-template", "comment", "exclude", "prune-backups"} {
		if _, set := p[k]; !set {
			del = append(del, k)
		}
	}
	if !j.All && j.Pool == "" && len(j.VMIDs) == 0 {
		del = append(del, "all")
	}
	if len(del) > 0 {
		p["delete"] = strings.Join(del, ",")
	}
	return p
}
