package firewall

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ClusterOptions are the datacenter firewall's options: the [OPTIONS]
// section of /etc/pve/firewall/cluster.fw ($cluster_option_properties in
// pve-firewall's src/PVE/Firewall.pm). Every field is set: Render writes
// each of them, so the file says what is in force instead of leaving it to
// PVE's defaults.
type ClusterOptions struct {
	// Enable is the cluster-wide firewall switch. While it is off
	// pve-firewall installs no rule at all: no host's, no guest's.
	Enable bool
	// Ebtables enables the ebtables (layer 2) rules cluster-wide.
	Ebtables bool
	// PolicyIn, PolicyOut: ACCEPT, REJECT or DROP, for the hosts' traffic.
	PolicyIn, PolicyOut string
	// PolicyForward: ACCEPT or DROP, for traffic the hosts forward.
	PolicyForward string
	// LogRateLimit is the log_ratelimit property string.
	LogRateLimit LogRateLimit
}

// LogRateLimit is log_ratelimit: [enable=]<1|0>[,burst=<integer>][,rate=<rate>].
type LogRateLimit struct {
	Enable bool
	Rate   string // N/(second|minute|hour|day)
	Burst  int
}

// PVE's defaults for options not in the file (pve-firewall: enable 0,
// ebtables 1, the hosts' policy_in DROP, policy_out ACCEPT, policy_forward
// ACCEPT; log_ratelimit enable=1, rate 1/second, burst 5).
const (
	DefaultLogRate      = "1/second"
	DefaultLogBurst     = 5
	DefaultPolicyIn     = "DROP"
	DefaultPolicyOut    = "ACCEPT"
	DefaultPolicyFwd    = "ACCEPT"
	clusterOptionsBlock = "[OPTIONS]"
)

// Policy values PVE's API accepts for the cluster's policies.
var (
	ClusterPolicies        = []string{"ACCEPT", "REJECT", "DROP"}
	ClusterForwardPolicies = []string{"ACCEPT", "DROP"}
)

// LogRateRE is the rate format of log_ratelimit (anchored).
var LogRateRE = regexp.MustCompile(`^[1-9][0-9]*/(second|minute|hour|day)$`)

// String renders the property string, as PVE's print_property_string
// would: enable first, then the other keys sorted.
func (l LogRateLimit) String() string {
	return fmt.Sprintf("enable=%s,burst=%d,rate=%s", b01(l.Enable), l.Burst, l.Rate)
}

// ParseLogRateLimit is parse_property_string for log_ratelimit: "1" alone
// is enable (its default key); unset parts take PVE's defaults.
func ParseLogRateLimit(s string) (LogRateLimit, error) {
	l := LogRateLimit{Enable: true, Rate: DefaultLogRate, Burst: DefaultLogBurst}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			k, v = "enable", part
		}
		if seen[k] {
			return l, fmt.Errorf("duplicate key in comma-separated list property: %s", k)
		}
		seen[k] = true
		switch k {
		case "enable":
			b, ok := parseBoolean(v)
			if !ok {
				return l, fmt.Errorf("enable: type check ('boolean') failed - got '%s'", v)
			}
			l.Enable = b
		case "rate":
			if !LogRateRE.MatchString(v) {
				return l, fmt.Errorf("rate: value does not match the regex pattern")
			}
			l.Rate = v
		case "burst":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || strings.TrimLeft(v, "0123456789") != "" {
				return l, fmt.Errorf("burst: type check ('integer') failed - got '%s'", v)
			}
			l.Burst = n
		default:
			return l, fmt.Errorf("%s: property is not defined in schema and the schema does not allow additional properties", k)
		}
	}
	return l, nil
}

// parseBoolean is PVE::JSONSchema's boolean check.
func parseBoolean(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "on", "yes", "true":
		return true, true
	case "0", "off", "no", "false":
		return false, true
	}
	return false, false
}

// DefaultClusterOptions are PVE's defaults (what a cluster without
// cluster.fw has): the datacenter firewall is off.
func DefaultClusterOptions() ClusterOptions {
	return ClusterOptions{Ebtables: true, PolicyIn: DefaultPolicyIn, PolicyOut: DefaultPolicyOut, PolicyForward: DefaultPolicyFwd,
		LogRateLimit: LogRateLimit{Enable: true, Rate: DefaultLogRate, Burst: DefaultLogBurst}}
}

// ClusterOptionsFromAPI reads GET /cluster/firewall/options (text values;
// "digest" ignored) into the options in force: a key PVE does not return
// is not set, and PVE's default applies. enable is an integer: 0 is off, 1
// on, and a larger value a timestamp of PVE's anti-lockout enable, which
// PVE already reads as 0 once it is older than 60 s. Keys the model does
// not know are returned in unknown (sorted).
func ClusterOptionsFromAPI(m map[string]string) (o ClusterOptions, unknown []string, err error) {
	o = DefaultClusterOptions()
	for k, v := range m {
		switch k {
		case "digest":
		case "enable":
			n, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil {
				return o, nil, fmt.Errorf("enable: not an integer: %q", v)
			}
			o.Enable = n > 0
		case "ebtables":
			b, ok := parseBoolean(v)
			if !ok {
				return o, nil, fmt.Errorf("ebtables: not a boolean: %q", v)
			}
			o.Ebtables = b
		case "policy_in":
			o.PolicyIn = strings.ToUpper(v)
		case "policy_out":
			o.PolicyOut = strings.ToUpper(v)
		case "policy_forward":
			o.PolicyForward = strings.ToUpper(v)
		case "log_ratelimit":
			l, perr := ParseLogRateLimit(v)
			if perr != nil {
				return o, nil, fmt.Errorf("log_ratelimit %q: %w", v, perr)
			}
			o.LogRateLimit = l
		default:
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return o, unknown, nil
}

// Lines are the [OPTIONS] "key: value" lines, sorted by key (pve-firewall
// writes them in hash order, which any order reproduces on read).
func (o ClusterOptions) Lines() []string {
	return []string{
		"ebtables: " + b01(o.Ebtables),
		"enable: " + b01(o.Enable),
		"log_ratelimit: " + o.LogRateLimit.String(),
		"policy_forward: " + o.PolicyForward,
		"policy_in: " + o.PolicyIn,
		"policy_out: " + o.PolicyOut,
	}
}

// Render is the [OPTIONS] section as save_clusterfw_conf writes it: the
// header, a blank line, the options, a blank line.
func (o ClusterOptions) Render() []byte {
	var b strings.Builder
	b.WriteString(clusterOptionsBlock + "\n\n")
	for _, l := range o.Lines() {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// SpliceClusterOptions returns cluster.fw with its [OPTIONS] section
// replaced by o's rendering. Every byte outside [OPTIONS] sections is kept
// (security groups, aliases, ipsets, rules, comments). A file without
// [OPTIONS] gets it at the top, where PVE's writer puts it; a file with
// several (PVE merges them, later keys winning) keeps the first, replaced,
// and loses the others. Everything inside [OPTIONS] is replaced, including
// lines PVE skips (unknown keys, comments): the section belongs to whoever
// owns the datacenter firewall's options.
func SpliceClusterOptions(clusterFW []byte, o ClusterOptions) []byte {
	rendered := o.Render()
	targets := sectionSpans(clusterFW, func(h header) bool { return h.kind == "options" })
	if len(targets) == 0 {
		return append(rendered, clusterFW...)
	}
	return splice(clusterFW, targets, rendered)
}

// span is a section of a file: from its header line to the next header
// line PVE recognises (or the end).
type span struct{ start, end int }

// sectionSpans finds the sections of cluster.fw whose header matches.
func sectionSpans(clusterFW []byte, match func(header) bool) []span {
	var (
		targets []span
		inside  bool
	)
	eachLine(clusterFW, func(_ int, line string, start, _ int) {
		h, ok := parseHeader(line, true)
		if !ok {
			return
		}
		if inside {
			targets[len(targets)-1].end = start
		}
		inside = match(h)
		if inside {
			targets = append(targets, span{start, len(clusterFW)})
		}
	})
	return targets
}

// splice replaces the first target span by rendered and removes the
// others, keeping every other byte.
func splice(data []byte, targets []span, rendered []byte) []byte {
	var out []byte
	prev := 0
	for i, t := range targets {
		out = append(out, data[prev:t.start]...)
		if i == 0 {
			out = append(out, rendered...)
		}
		prev = t.end
	}
	return append(out, data[prev:]...)
}
