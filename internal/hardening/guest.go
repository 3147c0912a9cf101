package hardening

import (
	"fmt"
	"sort"
	"strings"
)

// GuestFiles is what the provider observed inside a container of the
// files the baseline requires there (e.g. a monitoring agent's binary),
// through PVE's pct exec. The zero value means not observed.
type GuestFiles struct {
	Observed bool
	// Pending: a container this plan creates; observed after apply.
	Pending bool
	// Why it was not observed (the container is stopped, pct failed).
	Reason string
	// Missing are the required paths that are not there.
	Missing []string
	// Checked are the paths looked at.
	Checked []string
}

// String is a one-line account for findings.
func (g GuestFiles) String() string {
	switch {
	case g.Pending:
		return "decided after the container is created and started (checked inside it with pct exec)"
	case !g.Observed && g.Reason != "":
		return "not observed inside the container: " + g.Reason
	case !g.Observed:
		return "not observed inside the container"
	case len(g.Missing) > 0:
		m := append([]string(nil), g.Missing...)
		sort.Strings(m)
		return fmt.Sprintf("missing inside the container: %s", strings.Join(m, ", "))
	}
	return fmt.Sprintf("present inside the container: %s", strings.Join(g.Checked, ", "))
}
