package apischema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/backupjob"
)

// Formats of the backup job API (pve-manager PVE/API2/Backup.pm,
// pve-common PVE/CalendarEvent.pm and JSONSchema.pm).
func init() {
	formatChecks["pve-calendar-event"] = backupjob.CheckSchedule
	formatChecks["pve-day-of-week"] = func(v string) error {
		if _, ok := weekdays[v]; !ok {
			return fmt.Errorf("invalid day '%s'", v)
		}
		return nil
	}
	// PVE::JSONSchema pve_verify_email_or_username (PVE::Tools EMAIL_RE, EMAIL_USER_RE)
	formatChecks["email-or-username"] = reCheck(`^[\w+\-~]+(\.[\w+\-~]+)*(@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*)?$`,
		"value does not look like a valid email address or user name")
	formatChecks["prune-backups"] = checkPruneBackups
	formatChecks["backup-fleecing"] = checkKeyValues(map[string]func(string) error{
		"enabled": checkBool, "storage": func(v string) error { return formatChecks["pve-storage-id"](v) }}, "enabled")
	formatChecks["backup-performance"] = checkKeyValues(map[string]func(string) error{
		"max-workers": intIn(1, 256), "pbs-entries-max": intIn(1, 1<<62)}, "")
}

var weekdays = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

var pruneKeys = []string{"keep-all", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"}

// checkPruneBackups is the prune-backups property string: keep-all (a
// boolean that conflicts with the others when true) or keep-<period>
// counts >= 0.
func checkPruneBackups(v string) error {
	checks := map[string]func(string) error{"keep-all": checkBool}
	for _, k := range pruneKeys[1:] {
		checks[k] = intIn(0, 1<<62)
	}
	if err := checkKeyValues(checks, "")(v); err != nil {
		return err
	}
	kv := ParseKeyValues(v)
	if kv["keep-all"] == "1" && len(kv) > 1 {
		return errors.New("keep-all cannot be set together with other options.")
	}
	return nil
}

// ParseKeyValues splits a property string "k=v,k2=v2" (no default key).
func ParseKeyValues(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		out[k] = val
	}
	return out
}

// checkKeyValues checks a property string of known keys; def is the key a
// bare value sets ("" for none).
func checkKeyValues(checks map[string]func(string) error, def string) func(string) error {
	return func(v string) error {
		seen := map[string]bool{}
		for _, part := range strings.Split(v, ",") {
			if part == "" {
				continue
			}
			k, val, ok := strings.Cut(part, "=")
			if !ok {
				if def == "" {
					return fmt.Errorf("value without key, but schema does not define a default key")
				}
				k, val = def, part
			}
			check, known := checks[k]
			if !known {
				return fmt.Errorf("property '%s' is not defined in schema", k)
			}
			if seen[k] {
				return fmt.Errorf("duplicate key in comma-separated list property: %s", k)
			}
			seen[k] = true
			if err := check(val); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	}
}

func checkBool(v string) error {
	switch strings.ToLower(v) {
	case "1", "0", "on", "off", "yes", "no", "true", "false":
		return nil
	}
	return fmt.Errorf("type check ('boolean') failed - got '%s'", v)
}

func intIn(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("type check ('integer') failed - got '%s'", v)
		}
		if n < lo || n > hi {
			return fmt.Errorf("value must be between %d and %d", lo, hi)
		}
		return nil
	}
}
