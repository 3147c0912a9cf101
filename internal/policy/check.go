package policy

import (
	"fmt"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Exception excepts one container from one rule, with the reason why.
type Exception struct {
	Rule   string
	Reason string
}

// Finding is one rule's outcome for one container.
type Finding struct {
	Rule     string
	Title    string
	Severity Severity
	Status   Status
	// Detail is one line: what was observed and why it passes or fails.
	Detail string
	// Reason is the exception's reason when Status is StatusExcepted.
	Reason string
	// Path is the attribute the finding is about (hardening.Problem style:
	// attribute names and list indexes), the offending element's on failure.
	Path   []any
	Remedy string
	// ExceptionForbidden is set when the baseline lets no container except
	// the rule (Baseline.NoExceptions).
	ExceptionForbidden bool
}

// Check evaluates every rule of the catalogue; findings are in catalogue
// order. A failing rule with an exception is StatusExcepted, unless the
// exception is not valid (blank reason, or a rule in b.NoExceptions):
// ValidateExceptions reports those, and Check does not honour them. An
// exception for a passing rule changes nothing.
func Check(s hardening.Spec, b Baseline, ex []Exception) []Finding {
	reasons := exceptionReasons(ex, b)
	out := make([]Finding, 0, len(catalogue))
	for _, r := range catalogue {
		ok, detail, at := r.check(s, b)
		if at == nil {
			at = r.path()
		}
		f := Finding{Rule: r.ID, Title: r.Title, Severity: r.Severity, Status: StatusPass, Detail: detail, Path: at, Remedy: r.Remedy,
			ExceptionForbidden: contains(b.NoExceptions, r.ID)}
		if !ok {
			f.Status = StatusFail
			if reason, excepted := reasons[r.ID]; excepted {
				f.Status, f.Reason = StatusExcepted, reason
			}
		}
		out = append(out, f)
	}
	return out
}

// exceptionReasons maps each rule to the reason of its first valid
// exception (a non-blank reason, a rule the baseline lets be excepted).
func exceptionReasons(ex []Exception, b Baseline) map[string]string {
	reasons := map[string]string{}
	for _, e := range ex {
		if _, dup := reasons[e.Rule]; dup || strings.TrimSpace(e.Reason) == "" || contains(b.NoExceptions, e.Rule) {
			continue
		}
		reasons[e.Rule] = e.Reason
	}
	return reasons
}

// Outcome sets a finding's status from whether its check failed, honouring
// the exceptions as Check does (for a finding carried over from an earlier
// observation).
func Outcome(f Finding, failed bool, b Baseline, ex []Exception) Finding {
	f.Status, f.Reason = StatusPass, ""
	if failed {
		f.Status = StatusFail
		if reason, ok := exceptionReasons(ex, b)[f.Rule]; ok {
			f.Status, f.Reason = StatusExcepted, reason
		}
	}
	return f
}

// Summary counts findings by status.
type Summary struct {
	Pass, Fail, Excepted int
	// Failing are the IDs of the failing rules, in catalogue order.
	Failing []string
	// Text is one line, e.g. "21 pass, 1 fail (HC-FW-002), 1 excepted (HC-CG-003)".
	Text string
}

// Summarize counts findings.
func Summarize(fs []Finding) Summary {
	var s Summary
	var excepted []string
	for _, f := range fs {
		switch f.Status {
		case StatusPass:
			s.Pass++
		case StatusFail:
			s.Fail++
			s.Failing = append(s.Failing, f.Rule)
		case StatusExcepted:
			s.Excepted++
			excepted = append(excepted, f.Rule)
		}
	}
	ids := func(l []string) string {
		if len(l) == 0 {
			return ""
		}
		return " (" + strings.Join(l, ", ") + ")"
	}
	s.Text = fmt.Sprintf("%d pass, %d fail%s, %d excepted%s", s.Pass, s.Fail, ids(s.Failing), s.Excepted, ids(excepted))
	return s
}

// Violations are the failing findings as plan-time errors on their
// attributes: summary "<ID>: <Title>", detail what was observed, why it
// matters, how to comply, and how to except it (or that the baseline
// forbids that).
func Violations(fs []Finding) []hardening.Problem {
	var ps []hardening.Problem
	for _, f := range fs {
		if f.Status != StatusFail {
			continue
		}
		why := ""
		if r, ok := Lookup(f.Rule); ok {
			why = " " + r.why
		}
		except := fmt.Sprintf("Or add an exception { rule = %q, reason = \"...\" } (if the baseline allows it).", f.Rule)
		if f.ExceptionForbidden {
			except = "The baseline allows no exception to this rule."
		}
		ps = append(ps, hardening.Problem{
			Path:    append([]any(nil), f.Path...),
			Summary: f.Rule + ": " + f.Title,
			Detail:  fmt.Sprintf("%s.%s Fix: %s %s", f.Detail, why, plain(f.Remedy), except),
		})
	}
	return ps
}

// plain is Markdown text for a diagnostic: without code backticks.
func plain(md string) string {
	return strings.TrimSpace(strings.ReplaceAll(md, "`", ""))
}
