package apischema

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Formats of the backup job API (pve-manager PVE/API2/Backup.pm,
// pve-common PVE/CalendarEvent.pm and JSONSchema.pm).
func init() {
	formatChecks["pve-calendar-event"] = checkCalendarEvent
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

// calendarKeywords are the named events of Proxmox's calendar event parser.
var calendarKeywords = map[string]bool{"minutely": true, "hourly": true, "daily": true, "weekly": true, "monthly": true,
	"yearly": true, "annually": true, "quarterly": true, "semiannually": true, "semi-annually": true}

var calendarItemRE = regexp.MustCompile(`^(\*|\d{1,4})(\.\.(\d{1,4}))?(/(\d{1,4}))?$`)

// checkCalendarEvent is pve_verify_calendar_event for the subset of
// systemd calendar events PVE documents ("[WEEKDAY] [[YYYY-]MM-DD] [HH:MM[:SS]]",
// components as values, ranges a..b, lists and repetitions /n, or a
// keyword such as daily).
func checkCalendarEvent(v string) error {
	ev := strings.TrimSpace(v)
	fail := func(msg string) error { return fmt.Errorf("invalid calendar event '%s' - %s", v, msg) }
	if ev == "" {
		return fail("unable to parse calendar event - event is empty")
	}
	if calendarKeywords[ev] {
		return nil
	}
	fields := strings.Fields(ev)
	if len(fields) > 0 && isWeekdaySpec(fields[0]) {
		fields = fields[1:]
	}
	if len(fields) > 0 && strings.Contains(fields[0], "-") {
		if err := checkComponents(strings.Split(fields[0], "-"), []int{9999, 12, 31}); err != nil {
			return fail(err.Error())
		}
		fields = fields[1:]
	}
	switch len(fields) {
	case 0:
		return nil
	case 1:
		if err := checkComponents(strings.Split(fields[0], ":"), []int{23, 59, 59}); err != nil {
			return fail(err.Error())
		}
		return nil
	}
	return fail("unexpected '" + fields[1] + "'")
}

func isWeekdaySpec(s string) bool {
	for _, item := range strings.Split(s, ",") {
		from, to, rng := strings.Cut(item, "..")
		if _, ok := weekdays[strings.ToLower(from)]; !ok {
			return false
		}
		if _, ok := weekdays[strings.ToLower(to)]; rng && !ok {
			return false
		}
	}
	return true
}

// checkComponents checks the ':' or '-' separated components of a time or
// date against their maxima (a single time component is the minute).
func checkComponents(parts []string, max []int) error {
	if len(parts) > len(max) {
		return errors.New("too many components")
	}
	if len(parts) == 1 {
		max = max[1:2]
	} else if len(parts) == 2 && len(max) == 3 && max[0] == 9999 {
		max = max[1:] // MM-DD
	}
	for i, p := range parts {
		for _, item := range strings.Split(p, ",") {
			m := calendarItemRE.FindStringSubmatch(item)
			if m == nil {
				return fmt.Errorf("invalid component '%s'", item)
			}
			for _, n := range []string{m[1], m[3]} {
				if v, err := strconv.Atoi(n); err == nil && v > max[i] {
					return fmt.Errorf("value '%d' out of range", v)
				}
			}
		}
	}
	return nil
}

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
