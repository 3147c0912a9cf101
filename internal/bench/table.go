package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Markdown writes the result as one table (plus the realistic-timing line).
func (r *Result) Markdown(w io.Writer) {
	var b strings.Builder
	r.markdown(&b)
	_, _ = io.WriteString(w, b.String())
}

func (r *Result) markdown(w *strings.Builder) {
	fmt.Fprintln(w, "| N | command | wall s | terraform_data wall s | API calls / ct | node ops / ct | provider CPU-s / ct | peak RSS MiB | state bytes / ct |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, row := range r.Rows {
		for _, c := range []struct {
			name string
			p    Phase
		}{{"apply", row.Apply}, {"plan", row.Plan}, {"destroy", row.Destroy}} {
			n := float64(row.N)
			state := "–"
			if c.p.StateBytes > 0 {
				state = fmt.Sprintf("%.0f", float64(c.p.StateBytes)/n)
			}
			ops, cpu, rss := "–", "–", "–"
			if c.p.Procs > 0 {
				ops = fmt.Sprintf("%.1f", float64(c.p.NodeOps)/n)
				cpu = fmt.Sprintf("%.3f", c.p.CPUSecs/n)
				rss = fmt.Sprintf("%.0f", float64(c.p.PeakRSSKiB)/1024)
			}
			fmt.Fprintf(w, "| %d | %s | %.1f | %.1f | %.1f | %s | %s | %s | %s |\n", row.N, c.name, c.p.Wall.Seconds(),
				c.p.BaseWall.Seconds(), float64(c.p.APICalls)/n, ops, cpu, rss, state)
		}
	}
	if p := r.Realistic; p != nil {
		floor := p.TaskTime.Seconds() / float64(p.Parallelism)
		fmt.Fprintf(w, "\nRealistic task timing, N = %d, -parallelism=%d: apply %.1f s; floor (task time %.0f s ÷ %d) %.1f s; apply/floor %.2f×\n",
			r.RealN, p.Parallelism, p.Wall.Seconds(), p.TaskTime.Seconds(), p.Parallelism, floor, p.Wall.Seconds()/floor)
	}
}

// Breakdown writes each phase's API calls per container by endpoint.
func (r *Result) Breakdown(out io.Writer) {
	var w strings.Builder
	defer func() { _, _ = io.WriteString(out, w.String()) }()
	for _, row := range r.Rows {
		for _, c := range []struct {
			name string
			p    Phase
		}{{"apply", row.Apply}, {"plan", row.Plan}, {"destroy", row.Destroy}} {
			fmt.Fprintf(&w, "\nN = %d %s, API calls per container:\n", row.N, c.name)
			keys := make([]string, 0, len(c.p.Calls))
			for k := range c.p.Calls {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&w, "  %6.2f  %s\n", float64(c.p.Calls[k])/float64(row.N), k)
			}
		}
	}
}

// String is the Markdown table.
func (r *Result) String() string {
	var b strings.Builder
	r.markdown(&b)
	return b.String()
}
