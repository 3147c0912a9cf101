package sshdconfig

import (
	"fmt"
	"path"
	"strings"
)

// Effective evaluates the configuration the way sshd -T (without -C)
// prints it: EffectiveFor a blank connection, on which only "Match all"
// blocks match.
func Effective(files Files) (map[string][]string, []string) {
	return EffectiveFor(files, Conn{})
}

// EffectiveFor evaluates the configuration the way `sshd -T -C
// <c.Spec()>` prints it (OpenSSH 9.2 servconf.c): the files are parsed
// once without a connection (global lines and "Match all" blocks; for
// each keyword the first value read, accumulating keywords such as
// AllowUsers collect every value; Include expanded in place, relative to
// /etc/ssh, its glob sorted), then once more for the connection, where
// only the lines of the Match blocks that match it count, and every
// keyword this second parse set replaces the first parse's value (a list
// replaces the whole list). A Match block ends with the file it is in; an
// Include inside a Match block that does not apply is not evaluated. Only
// the keys of defaults and the accumulating ones are completed with
// defaults. errs lists what sshd would stop with.
func EffectiveFor(files Files, c Conn) (map[string][]string, []string) {
	first := &evaluator{files: files, m: &matcher{files: files}, vals: map[string][]string{}, seen: map[string]bool{}}
	active := true
	first.read(MainConfig, 0, 0, &active)
	if len(first.errs) > 0 {
		return nil, first.errs
	}
	second := &evaluator{files: files, m: &matcher{ci: &c, files: files}, vals: map[string][]string{}, seen: map[string]bool{}}
	active = false
	second.read(MainConfig, 0, matchOnly, &active)
	if len(second.errs) > 0 {
		return nil, second.errs
	}
	out := first.vals
	for k, v := range second.vals {
		out[k] = v
	}
	for k, v := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = append([]string(nil), v...)
		}
	}
	return out, nil
}

// Check is `sshd -t`: the errors sshd stops with when it reads its
// configuration (without evaluating Match blocks for a connection).
func Check(files Files) []string {
	e := &evaluator{files: files, m: &matcher{files: files}, vals: map[string][]string{}, seen: map[string]bool{}}
	active := true
	e.read(MainConfig, 0, 0, &active)
	return e.errs
}

// Parse flags (servconf.c SSHCFG_NEVERMATCH, SSHCFG_MATCH_ONLY).
const (
	neverMatch = 1 << iota // inside a Match block that does not apply: no Match line matches
	matchOnly              // the connection's parse, before the file's first Match line
)

type evaluator struct {
	files Files
	m     *matcher
	errs  []string
	vals  map[string][]string
	seen  map[string]bool
}

// read is parse_server_config_depth: active is the Match state, shared
// with the including file, which restores it after the Include.
func (e *evaluator) read(p string, depth, flags int, active *bool) {
	b, ok := e.files.Read(p)
	if !ok {
		if depth == 0 {
			e.errs = append(e.errs, p+": No such file or directory")
		}
		return
	}
	for n, line := range strings.Split(string(b), "\n") {
		key, args := splitLine(line)
		if a, ok := aliases[key]; ok {
			key = a
		}
		switch {
		case key == "":
		case !*active && e.m.ci == nil && !matchKeywords[key]:
			// the connection-less parse refuses a keyword a Match block
			// cannot hold in a block that does not apply (servconf.c)
			e.errs = append(e.errs, fmt.Sprintf("%s line %d: Directive '%s' is not allowed within a Match block", p, n+1, keyword(line)))
			return
		case key == "match":
			m := e.m
			if flags&neverMatch != 0 {
				m = &matcher{files: e.files}
			}
			v, err := m.match(args)
			if err != nil {
				e.errs = append(e.errs, fmt.Sprintf("%s line %d: %v", p, n+1, err))
				return
			}
			*active = flags&neverMatch == 0 && v
			flags &^= matchOnly
		case key == "include":
			e.include(args, depth, flags, active)
		case *active && len(args) > 0:
			e.set(key, args)
		}
	}
}

// include reads the files an Include names, in glob order; inside a Match
// block that does not apply, their Match lines never match.
func (e *evaluator) include(patterns []string, depth, flags int, active *bool) {
	if depth >= 16 {
		e.errs = append(e.errs, "Too many recursive configuration includes")
		return
	}
	outer := *active
	child := neverMatch
	switch {
	case flags&matchOnly != 0:
		child = matchOnly
	case outer:
		child = 0
	}
	for _, pat := range patterns {
		if !path.IsAbs(pat) {
			pat = path.Join("/etc/ssh", pat)
		}
		for _, m := range e.files.Glob(pat) {
			e.read(m, depth+1, child, active)
			*active = outer
		}
	}
}

func (e *evaluator) set(key string, args []string) {
	if accumulating[key] {
		if key == "subsystem" { // a name and its command: one entry
			args = []string{strings.Join(args, " ")}
		}
		e.vals[key] = append(e.vals[key], args...)
		return
	}
	if !e.seen[key] {
		e.seen[key] = true
		e.vals[key] = []string{normalize(key, args[0])}
	}
}

// matchKeywords are the keywords OpenSSH 9.2 allows in a Match block
// (servconf.c keywords[] with SSHCFG_MATCH).
var matchKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`permitrootlogin loglevel logverbose rhostsrsaauthentication hostbasedauthentication
		hostbasedusesnamefrompacketonly hostbasedacceptedalgorithms hostbasedacceptedkeytypes rsaauthentication pubkeyauthentication
		pubkeyacceptedalgorithms pubkeyacceptedkeytypes pubkeyauthoptions kerberosauthentication gssapiauthentication
		passwordauthentication kbdinteractiveauthentication challengeresponseauthentication skeyauthentication ignorerhosts
		x11forwarding x11displayoffset x11uselocalhost permitemptypasswords rekeylimit allowtcpforwarding allowagentforwarding
		allowusers denyusers allowgroups denygroups gatewayports maxauthtries maxsessions banner clientaliveinterval
		clientalivecountmax authorizedkeysfile authorizedkeysfile2 acceptenv setenv permittunnel permittty permituserrc match
		permitopen permitlisten forcecommand chrootdirectory revokedkeys trustedusercakeys authorizedprincipalsfile include ipqos
		authorizedkeyscommand authorizedkeyscommanduser authorizedprincipalscommand authorizedprincipalscommanduser
		authenticationmethods streamlocalbindmask streamlocalbindunlink allowstreamlocalforwarding disableforwarding
		exposeauthinfo rdomain casignaturealgorithms requiredrsasize channeltimeout unusedconnectiontimeout`) {
		m[k] = true
	}
	return m
}()

// keyword is a line's keyword as written.
func keyword(line string) string {
	line = strings.TrimSpace(line)
	if i := strings.IndexAny(line, " \t="); i >= 0 {
		return line[:i]
	}
	return line
}
