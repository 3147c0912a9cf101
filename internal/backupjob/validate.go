package backupjob

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits from the API schema (apidata.json, PVE/API2/Backup.pm).
const (
	MaxScheduleLen = 128
	MaxCommentLen  = 512
	MaxNotesLen    = 1024
	MaxIDLen       = 50 // pve-backup-jobid: the path parameter of GET/PUT/DELETE
)

var idRE = regexp.MustCompile(`(?i)^[a-z][a-z0-9_-]+$`)

// CheckID is pve-configid, at most MaxIDLen characters.
func CheckID(id string) error {
	if !idRE.MatchString(id) {
		return fmt.Errorf("invalid configuration ID '%s': a letter, then at least one letter, digit, '_' or '-'", id)
	}
	if len(id) > MaxIDLen {
		return fmt.Errorf("the ID may only be %d characters long", MaxIDLen)
	}
	return nil
}

var weekdays = map[string]bool{"sun": true, "mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true}

// calendarKeywords are the named events of Proxmox's calendar event parser.
var calendarKeywords = map[string]bool{"minutely": true, "hourly": true, "daily": true, "weekly": true, "monthly": true,
	"yearly": true, "annually": true, "quarterly": true, "semiannually": true, "semi-annually": true}

var calendarItemRE = regexp.MustCompile(`^(\*|\d{1,4})(\.\.(\d{1,4}))?(/(\d{1,4}))?$`)

// CheckSchedule is pve-calendar-event for the subset of systemd calendar
// events PVE documents: "[WEEKDAYS] [[YYYY-]MM-DD] [HH:MM[:SS]]" with
// components as values, ranges a..b, comma lists and repetitions /n (one
// time component is the minute), or a keyword such as daily.
func CheckSchedule(v string) error {
	ev := strings.TrimSpace(v)
	fail := func(msg string) error { return fmt.Errorf("invalid calendar event '%s' - %s", v, msg) }
	switch {
	case ev == "":
		return fail("unable to parse calendar event - event is empty")
	case len(v) > MaxScheduleLen:
		return fmt.Errorf("value may only be %d characters long", MaxScheduleLen)
	case calendarKeywords[ev]:
		return nil
	}
	fields := strings.Fields(ev)
	if isWeekdaySpec(fields[0]) {
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
		if !weekdays[strings.ToLower(from)] || (rng && !weekdays[strings.ToLower(to)]) {
			return false
		}
	}
	return true
}

// checkComponents checks the ':' or '-' separated components of a time or
// date against their maxima (a single time component is the minute).
func checkComponents(parts []string, limits []int) error {
	if len(parts) > len(limits) {
		return errors.New("too many components")
	}
	switch {
	case len(parts) == 1:
		limits = limits[1:2]
	case len(parts) == 2 && len(limits) == 3 && limits[0] == 9999:
		limits = limits[1:] // MM-DD
	}
	for i, p := range parts {
		for _, item := range strings.Split(p, ",") {
			m := calendarItemRE.FindStringSubmatch(item)
			if m == nil {
				return fmt.Errorf("invalid component '%s'", item)
			}
			for _, n := range []string{m[1], m[3]} {
				if v, err := strconv.Atoi(n); err == nil && v > limits[i] {
					return fmt.Errorf("value '%d' out of range", v)
				}
			}
		}
	}
	return nil
}

var (
	notesVarRE = regexp.MustCompile(`\{\{([^\s{}]+)\}\}`)
	notesEscRE = regexp.MustCompile(`\\(.)`)
)

// CheckNotesTemplate is vzdump's $verify_notes_template: one line, escapes
// only \n and \\, variables only {{cluster}}, {{guestname}}, {{node}} and
// {{vmid}}.
func CheckNotesTemplate(t string) error {
	if len(t) > MaxNotesLen {
		return fmt.Errorf("value may only be %d characters long", MaxNotesLen)
	}
	if strings.Contains(t, "\n") {
		return errors.New("contains a line feed")
	}
	var problems []string
	for _, m := range notesEscRE.FindAllStringSubmatchIndex(t, -1) {
		if c := t[m[2]:m[3]]; c != "n" && c != `\` {
			problems = append(problems, fmt.Sprintf("escape sequence '\\%s' at char %d", c, m[0]))
		}
	}
	for _, m := range notesVarRE.FindAllStringSubmatchIndex(t, -1) {
		if v := t[m[2]:m[3]]; !slices.Contains([]string{"cluster", "guestname", "node", "vmid"}, v) {
			problems = append(problems, fmt.Sprintf("variable '%s' at char %d", v, m[2]))
		}
	}
	if len(problems) > 0 {
		return errors.New("found unknown: " + strings.Join(problems, ", "))
	}
	return nil
}

// CheckComment: at most MaxCommentLen characters, one line (PVE's
// SectionConfig writer dies on a line feed).
func CheckComment(c string) error {
	if len(c) > MaxCommentLen {
		return fmt.Errorf("value may only be %d characters long", MaxCommentLen)
	}
	if strings.ContainsAny(c, "\r\n") {
		return errors.New("contains a line feed")
	}
	return nil
}
