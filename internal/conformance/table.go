package conformance

import (
	"strings"
	"unicode/utf8"
)

// Table renders rows as a plain-text table a reviewer reads in a terminal
// or a pull request: container | control | configured | observed | result.
func Table(rows []Row) string {
	head := []string{"container", "control", "configured", "observed inside the running container", "result"}
	cells := [][]string{head}
	for _, r := range rows {
		cells = append(cells, []string{r.Container, r.Control, r.Configured, r.Observed, r.Result})
	}
	width := make([]int, len(head))
	for _, c := range cells {
		for i, v := range c {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	var b strings.Builder
	line := func(c []string) {
		for i, v := range c {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(v)
			if i < len(c)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(v)))
			}
		}
		b.WriteString("\n")
	}
	line(cells[0])
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, c := range cells[1:] {
		line(c)
	}
	return b.String()
}

// Failed are the rows whose result is FAIL.
func Failed(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if r.Result == "FAIL" {
			out = append(out, r)
		}
	}
	return out
}
