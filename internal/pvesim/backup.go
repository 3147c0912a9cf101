package pvesim

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/backupjob"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/jobscfg"
)

// Backup jobs (pve-manager PVE/API2/Backup.pm): vzdump sections of
// DIR/etc/pve/jobs.cfg, read on every request (a hand edit is what the API
// shows next) and written under the file's cfs lock. Not simulated: the
// legacy vzdump.cron, "next-run" (the scheduler's view), running the jobs,
// and the job state files under /var/lib/pve-manager/jobs. The simulator
// has no resource pools, so a job naming a pool fails like PVE's
// check_pool_exist for a missing pool.

func (s *Sim) registerBackupRoutes() {
	r := &s.routes
	r.add("GET", "/cluster/backup", s.handleBackupList)
	r.add("POST", "/cluster/backup", s.handleBackupCreate)
	r.add("GET", "/cluster/backup/{id}", s.handleBackupGet)
	r.add("PUT", "/cluster/backup/{id}", s.handleBackupUpdate)
	r.add("DELETE", "/cluster/backup/{id}", s.handleBackupDelete)
}

// jobsCfgLock is cfs_lock_file('jobs.cfg')'s lock.
const jobsCfgLock = "file-jobs_cfg"

func (s *Sim) jobsCfgPath() string { return filepath.Join(s.dataDir, "etc/pve/jobs.cfg") }

func (s *Sim) loadJobs() (*jobscfg.File, error) {
	raw, err := os.ReadFile(s.jobsCfgPath())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, dief("unable to read '/etc/pve/jobs.cfg' - %v", err)
	}
	f := jobscfg.Parse(raw)
	for _, w := range f.Warnings {
		s.logf("pvesim: %s", w)
	}
	return f, nil
}

func (s *Sim) saveJobs(f *jobscfg.File) error {
	for _, sec := range f.Sections {
		for k, v := range sec.Options {
			if strings.ContainsAny(k+v, "\r\n") {
				return dief("property '%s' contains a line feed", k)
			}
		}
	}
	return atomicWrite(s.jobsCfgPath(), f.Render())
}

// jobBooleans and jobIntegers are the options the API returns as numbers.
var (
	jobBooleans = []string{"all", "enabled", "protected", "quiet", "remove", "repeat-missed", "stdexcludes", "stop"}
	jobIntegers = []string{"bwlimit", "ionice", "lockwait", "maxfiles", "pigz", "stopwait", "zstd"}
	// jobPropStrings are returned as objects (Backup.pm's return schema).
	jobPropStrings = []string{"prune-backups", "fleecing", "performance"}
)

// jobView is a vzdump section as GET returns it: id injected, enabled
// defaulted to 1, numbers as numbers, property strings as objects.
func jobView(sec *jobscfg.Section) map[string]any {
	out := map[string]any{"id": sec.ID, "type": sec.Type, "enabled": 1}
	for k, v := range sec.Options {
		out[k] = v
		switch {
		case slices.Contains(jobBooleans, k):
			out[k] = boolNum(v)
		case slices.Contains(jobIntegers, k):
			if n, err := strconv.Atoi(v); err == nil {
				out[k] = n
			}
		case slices.Contains(jobPropStrings, k):
			obj := map[string]any{}
			for pk, pv := range apischema.ParseKeyValues(v) {
				if n, err := strconv.Atoi(pv); err == nil {
					obj[pk] = n
				} else {
					obj[pk] = pv
				}
			}
			out[k] = obj
		}
	}
	return out
}

func boolNum(v string) int {
	switch strings.ToLower(v) {
	case "1", "on", "yes", "true":
		return 1
	}
	return 0
}

func (s *Sim) handleBackupList(*reqCtx) (any, error) {
	f, err := s.loadJobs()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, sec := range f.Sections {
		if sec.Type == "vzdump" {
			out = append(out, jobView(sec))
		}
	}
	return out, nil
}

func (s *Sim) handleBackupGet(rc *reqCtx) (any, error) {
	f, err := s.loadJobs()
	if err != nil {
		return nil, err
	}
	sec := f.Find(rc.str("id"))
	if sec == nil || sec.Type != "vzdump" {
		return nil, paramErr(map[string]string{"id": fmt.Sprintf("No such job '%s'", rc.str("id"))})
	}
	return jobView(sec), nil
}

func (s *Sim) handleBackupDelete(rc *reqCtx) (any, error) {
	id := rc.str("id")
	return nil, s.cfsLock(jobsCfgLock, fwLockTimeout, func() error {
		f, err := s.loadJobs()
		if err != nil {
			return err
		}
		if sec := f.Find(id); sec == nil || sec.Type != "vzdump" {
			return paramErr(map[string]string{"id": fmt.Sprintf("No such job '%s'", id)})
		}
		f.Remove(id)
		return s.saveJobs(f)
	})
}

// jobParams are the request's job options: path and API-only keys removed.
func jobParams(rc *reqCtx) map[string]string {
	out := map[string]string{}
	for k, v := range rc.params {
		if k != "id" && k != "delete" {
			out[k] = v
		}
	}
	return out
}

// checkRootOnly is assert_param_permission_common's root-only options.
func checkRootOnly(rc *reqCtx, p map[string]string) error {
	if rc.isRoot() {
		return nil
	}
	for _, k := range []string{"tmpdir", "dumpdir", "script"} {
		if _, ok := p[k]; ok {
			return paramErr(map[string]string{k: "Only root may set this option."})
		}
	}
	return nil
}

// scheduleParamCheck is Backup.pm's $schedule_param_check: starttime and
// dow become a schedule.
func scheduleParamCheck(p map[string]string, required bool) error {
	st, hasStart := p["starttime"]
	switch {
	case p["schedule"] != "" || hasSchedule(p):
		if hasStart {
			return paramErr(map[string]string{"starttime": "'starttime' and 'schedule' cannot both be set"})
		}
	case !hasStart:
		if required {
			return paramErr(map[string]string{"schedule": "neither 'starttime' nor 'schedule' were set"})
		}
	default:
		dow := strings.Join(apischema.SplitList(p["dow"]), ",")
		if dow == "" || dow == "mon,tue,wed,thu,fri,sat,sun" {
			p["schedule"] = st
		} else {
			p["schedule"] = dow + " " + st
		}
	}
	delete(p, "starttime")
	delete(p, "dow")
	return nil
}

func hasSchedule(p map[string]string) bool { _, ok := p["schedule"]; return ok }

// verifyJob is PVE::VZDump::verify_vzdump_parameters.
func verifyJob(p map[string]string, checkMissing bool) error {
	for _, k := range []string{"all", "exclude", "pool"} {
		if p[k] != "" && p[k] != "0" && p["vmid"] != "" {
			return paramErr(map[string]string{k: "option conflicts with option 'vmid'"})
		}
	}
	if t := p["notes-template"]; t != "" {
		if err := backupjob.CheckNotesTemplate(t); err != nil {
			return paramErr(map[string]string{"notes-template": err.Error() + "\n"})
		}
	}
	if _, ok := p["exclude"]; ok && p["pool"] == "" {
		p["all"] = "1"
	}
	if checkMissing && p["all"] != "1" && p["stop"] != "1" && p["pool"] == "" && p["vmid"] == "" {
		return paramErr(map[string]string{"vmid": "property is missing"})
	}
	return nil
}

func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("backup-%x-%x", b[0:4], b[4:6])
}

func (s *Sim) handleBackupCreate(rc *reqCtx) (any, error) {
	p := jobParams(rc)
	if err := checkRootOnly(rc, p); err != nil {
		return nil, err
	}
	if pool := p["pool"]; pool != "" {
		return nil, dief("pool '%s' does not exist", pool)
	}
	if err := scheduleParamCheck(p, true); err != nil {
		return nil, err
	}
	if _, ok := p["enabled"]; !ok {
		p["enabled"] = "1"
	}
	id := rc.str("id")
	if id == "" {
		id = newJobID()
	}
	return nil, s.cfsLock(jobsCfgLock, fwLockTimeout, func() error {
		f, err := s.loadJobs()
		if err != nil {
			return err
		}
		if f.Find(id) != nil {
			return dief("Job '%s' already exists", id)
		}
		if err := verifyJob(p, true); err != nil {
			return err
		}
		f.Sections = append(f.Sections, &jobscfg.Section{Type: "vzdump", ID: id, Options: p})
		return s.saveJobs(f)
	})
}

// jobDeletable are the options `delete` may name besides vzdump's own.
var jobDeletable = []string{"comment", "repeat-missed"}

func (s *Sim) handleBackupUpdate(rc *reqCtx) (any, error) {
	p := jobParams(rc)
	del := apischema.SplitList(rc.str("delete"))
	if err := checkRootOnly(rc, p); err != nil {
		return nil, err
	}
	if pool := p["pool"]; pool != "" {
		return nil, dief("pool '%s' does not exist", pool)
	}
	if err := scheduleParamCheck(p, false); err != nil {
		return nil, err
	}
	return nil, s.cfsLock(jobsCfgLock, fwLockTimeout, func() error {
		f, err := s.loadJobs()
		if err != nil {
			return err
		}
		if len(p) == 0 && len(del) == 0 {
			return dief("no options specified")
		}
		if err := verifyJob(p, false); err != nil {
			return err
		}
		sec := f.Find(rc.str("id"))
		if sec == nil || sec.Type != "vzdump" {
			return dief("no such vzdump job")
		}
		job := sec.Options
		for _, k := range del {
			if !vzdumpOption(k) && !slices.Contains(jobDeletable, k) {
				return paramErr(map[string]string{"delete": fmt.Sprintf("unknown option '%s'", k)})
			}
			delete(job, k)
		}
		for k, v := range p {
			job[k] = v
		}
		normalizeSelection(job, p)
		if err := verifyJob(job, true); err != nil {
			return err
		}
		return s.saveJobs(f)
	})
}

// normalizeSelection is update_job's: one selection wins, the one set now.
func normalizeSelection(job, p map[string]string) {
	if _, ok := job["exclude"]; ok && job["pool"] == "" {
		job["all"] = "1"
	}
	switch {
	case p["vmid"] != "":
		delete(job, "all")
		delete(job, "exclude")
		delete(job, "pool")
	case p["all"] == "1":
		delete(job, "vmid")
		delete(job, "pool")
	case job["pool"] != "":
		delete(job, "vmid")
		delete(job, "all")
		delete(job, "exclude")
	}
}

// vzdumpOption is PVE::VZDump::option_exists: the job's vzdump options (the
// create schema's parameters but the job's own).
func vzdumpOption(k string) bool {
	switch k {
	case "id", "schedule", "enabled", "comment", "repeat-missed", "starttime", "dow", "delete":
		return false
	}
	m := apischema.Embedded().Method("POST", "/cluster/backup")
	return m != nil && m.ParamFor(k) != nil
}
