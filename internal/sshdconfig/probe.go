package sshdconfig

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// The read-back runs one fixed command inside the container (`pct exec
// <vmid> -- sh -c ProbeScript`: nothing from the Terraform configuration
// is in it): sshd -T, whose configuration has no connection, so only
// "Match all" blocks apply; then sshd -T -C for a set of probe connections,
// each user that can log in from each ProbeAddrs address, so that a Match
// block which weakens the policy for real connections (Match User *, Match
// Address 10.0.0.0/8, ...) shows too; then the banner file. The provider
// keeps the weakest value any probe shows (Weakest).
//
// sshd -T without a connection stops when the configuration has a Match
// LocalPort block ("'Match LocalPort' in configuration but 'lport' not in
// connection test specification"): the script then asks for a connection
// to port 22 (sshd -T -C lport=22), which matches no other criterion.
//
// The users are root, the AllowUsers entries (the user part), and every
// /etc/passwd account with a login shell (not nologin, false or sync):
// only names of letters, digits, '_', '.' and '-' (a probe's spec is
// comma separated). The local port is the first Port (sshd -T -C needs
// one as soon as a Match LocalPort line exists, and so does a plain
// sshd -T, which then fails). The host is the address (sshd's UseDNS no
// default); no local address is given, so Match LocalAddress and RDomain
// blocks are not probed.

// ProbeAddrs are the client addresses probed: loopback, the three private
// IPv4 networks, a public IPv4 address (TEST-NET-2), IPv6 loopback and a
// global IPv6 address (documentation prefix).
var ProbeAddrs = []string{"127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "198.51.100.1", "::1", "2001:db8::1"}

// probeKeys are the keywords printed for each probe connection.
var probeKeys = []string{"permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication", "pubkeyauthentication",
	"permitemptypasswords", "banner", "allowusers"}

// ProbeMarker starts each section of the probe's output.
const ProbeMarker = "#hardened-probe"

// ProbeScript is the read-back's fixed sh script (POSIX sh: dash,
// busybox ash; only sh built-ins, sshd and cat). Exit 127 when the
// container has no sshd; sshd's own exit status and message when it
// refuses its configuration.
var ProbeScript = `set -f
command -v sshd >/dev/null 2>&1 || { echo 'sshd: not found' >&2; exit 127; }
g=$(sshd -T 2>/dev/null) || g=$(sshd -T -C lport=22) || exit
echo '` + ProbeMarker + `'
printf '%s\n' "$g"
port= users=root
while read -r k v; do
case $k in
port) [ -n "$port" ] || port=$v ;;
allowusers) users="$users ${v%%@*}" ;;
esac
done <<EOF
$g
EOF
: "${port:=22}"
while IFS=: read -r n _ _ _ _ _ s; do
case $s in ''|*/nologin|*/false|*/sync) ;; *) users="$users $n" ;; esac
done </etc/passwd 2>/dev/null
seen=' '
for u in $users; do
case $u in *[!A-Za-z0-9_.-]*) continue ;; esac
case $seen in *" $u "*) continue ;; esac
seen="$seen$u "
for a in ` + strings.Join(ProbeAddrs, " ") + `; do
c="user=$u,host=$a,addr=$a,lport=$port"
echo "` + ProbeMarker + ` $c"
o=$(sshd -T -C "$c") || exit
while read -r k v; do
case $k in ` + strings.Join(probeKeys, "|") + `) printf '%s %s\n' "$k" "$v" ;; esac
done <<EOF
$o
EOF
done
done
if [ -f ` + BannerFile + ` ]; then echo '` + ProbeMarker + ` banner'; cat ` + BannerFile + `; fi
`

// probeUserRE is what the script probes as a user name.
var probeUserRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// ProbeUsers are the users the script probes, in its order: root, the
// AllowUsers entries of the connection-less configuration, the accounts
// of passwd with a login shell.
func ProbeUsers(global map[string][]string, passwd []byte) []string {
	cands := []string{"root"}
	for _, u := range splitAll(global["allowusers"]) {
		name, _, _ := strings.Cut(u, "@")
		cands = append(cands, name)
	}
	for _, l := range strings.Split(string(passwd), "\n") {
		f := strings.SplitN(l, ":", 7)
		if len(f) < 7 {
			continue
		}
		sh := strings.TrimRight(f[6], " \t")
		if sh == "" || strings.HasSuffix(sh, "/nologin") || strings.HasSuffix(sh, "/false") || strings.HasSuffix(sh, "/sync") {
			continue
		}
		cands = append(cands, f[0])
	}
	var out []string
	seen := map[string]bool{}
	for _, u := range cands {
		if probeUserRE.MatchString(u) && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// ProbeConns are the probe connections for users, on port.
func ProbeConns(users []string, port int) []Conn {
	var out []Conn
	for _, u := range users {
		for _, a := range ProbeAddrs {
			out = append(out, Conn{User: u, Host: a, Addr: a, LPort: port})
		}
	}
	return out
}

// FilterProbe keeps the lines of sshd -T -C output the script prints.
func FilterProbe(out []byte) []byte {
	keep := map[string]bool{}
	for _, k := range probeKeys {
		keep[k] = true
	}
	var b bytes.Buffer
	for _, l := range strings.Split(string(out), "\n") {
		if k, _, _ := strings.Cut(strings.TrimSpace(l), " "); keep[k] {
			b.WriteString(strings.TrimSpace(l) + "\n")
		}
	}
	return b.Bytes()
}

// Probed is the probe's output: the connection-less configuration, each
// probe connection's, and the banner file.
type Probed struct {
	Global map[string][]string
	Conns  []ConnEff
	Banner []byte
	// BannerFound: the banner file exists.
	BannerFound bool
}

// ConnEff is one probe connection's effective configuration.
type ConnEff struct {
	Spec string
	Eff  map[string][]string
}

// ParseProbe reads ProbeScript's output. ok is false when it is not the
// script's (no first marker).
func ParseProbe(out []byte) (p Probed, ok bool) {
	s := string(out)
	if !strings.HasPrefix(s, ProbeMarker+"\n") {
		return p, false
	}
	s = strings.TrimPrefix(s, ProbeMarker+"\n")
	if before, banner, found := strings.Cut(s, "\n"+ProbeMarker+" banner\n"); found {
		p.Banner, p.BannerFound = []byte(banner), true
		s = before + "\n"
	}
	sections := strings.Split(s, "\n"+ProbeMarker+" ")
	p.Global = ParseT([]byte(sections[0]))
	for _, sec := range sections[1:] {
		spec, body, _ := strings.Cut(sec, "\n")
		p.Conns = append(p.Conns, ConnEff{Spec: spec, Eff: ParseT([]byte(body))})
	}
	return p, true
}

// rank orders a keyword's values from the policy's (0) to the weakest;
// a value rank does not know counts as a deviation (1) when it differs
// from the connection-less one.
func rank(key, v, global string) int {
	switch key {
	case "passwordauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication", "permitemptypasswords":
		if v == "yes" {
			return 2
		}
	case "permitrootlogin":
		return map[string]int{"yes": 4, RootLoginProhibitPassword: 3, "forced-commands-only": 2}[v]
	case "banner":
		if v == "none" {
			return 2
		}
	}
	if v != global {
		return 1
	}
	return 0
}

// Weakest is the configuration the provider reads back: for each keyword
// of the policy the weakest value any probe connection (or the
// connection-less configuration) has; AllowUsers is every user any of
// them allows, none (any user) when one of them has no AllowUsers. A Match block that weakens the policy for some connection
// shows as drift, and in Weaknesses.
func (p Probed) Weakest() map[string][]string {
	out := map[string][]string{}
	for k, v := range p.Global {
		out[k] = append([]string(nil), v...)
	}
	anyUser := len(p.Global["allowusers"]) == 0
	for _, c := range p.Conns {
		for _, k := range probeKeys {
			if k == "allowusers" {
				continue
			}
			g, cur, v := first1(p.Global[k]), first1(out[k]), first1(c.Eff[k])
			if v != "" && rank(k, v, g) > rank(k, cur, g) {
				out[k] = []string{v}
			}
		}
		anyUser = anyUser || len(c.Eff["allowusers"]) == 0
		out["allowusers"] = splitAll(append(out["allowusers"], c.Eff["allowusers"]...))
	}
	if anyUser {
		delete(out, "allowusers") // some connection allows every user
	}
	return out
}

// ConnWeaknesses are the weaknesses of probe connections that the
// connection-less configuration does not have, each with the first
// connection that shows it.
func (p Probed) ConnWeaknesses() []string {
	seen := map[string]bool{}
	for _, w := range Weaknesses(p.Global) {
		seen[w] = true
	}
	var out []string
	for _, c := range p.Conns {
		for _, w := range Weaknesses(c.Eff) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w+" (for the connection "+c.Spec+": a Match block)")
			}
		}
	}
	return out
}

func first1(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// Probe is the model's answer to ProbeScript for a container's files (the
// simulator's pct runs it): what sshd -T and each probe connection's
// sshd -T -C show, and the banner file. errs: sshd would stop.
func Probe(files Files) (Probed, []string) {
	global, errs := Effective(files)
	if len(errs) > 0 {
		global, errs = EffectiveFor(files, Conn{LPort: 22})
	}
	if len(errs) > 0 {
		return Probed{}, errs
	}
	p := Probed{Global: ParseT(RenderT(global))}
	port := 22
	if v := global["port"]; len(v) > 0 {
		if n, err := strconv.Atoi(v[0]); err == nil {
			port = n
		}
	}
	passwd, _ := files.Read("/etc/passwd")
	for _, c := range ProbeConns(ProbeUsers(p.Global, passwd), port) {
		eff, errs := EffectiveFor(files, c)
		if len(errs) > 0 {
			return Probed{}, errs
		}
		p.Conns = append(p.Conns, ConnEff{Spec: c.Spec(), Eff: ParseT(FilterProbe(RenderT(eff)))})
	}
	p.Banner, p.BannerFound = files.Read(BannerFile)
	return p, nil
}

// Render prints p as ProbeScript does (sshd -T's lines as RenderT prints
// them).
func (p Probed) Render() []byte {
	var b bytes.Buffer
	b.WriteString(ProbeMarker + "\n")
	b.Write(RenderT(p.Global))
	for _, c := range p.Conns {
		b.WriteString(ProbeMarker + " " + c.Spec + "\n")
		b.Write(FilterProbe(RenderT(c.Eff)))
	}
	if p.BannerFound {
		b.WriteString(ProbeMarker + " banner\n")
		b.Write(p.Banner)
	}
	return b.Bytes()
}
