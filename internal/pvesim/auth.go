package pvesim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ticketLifetime is PVE's ticket lifetime (2 hours).
const ticketLifetime = 2 * time.Hour

type authDB struct {
	mu        sync.Mutex
	passwords map[string]string // user@realm -> password
	tokens    map[string]string // user@realm!name -> secret
	tickets   map[string]ticketInfo
	key       []byte
}

type ticketInfo struct {
	user    string
	expires time.Time
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// randomUUID returns a v4 UUID, the shape of PVE token secrets.
func randomUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (a *authDB) newTicket(user string) string {
	now := time.Now()
	t := fmt.Sprintf("PVE:%s:%08X::%s", user, now.Unix(), base64.RawStdEncoding.EncodeToString([]byte(randomHex(32))))
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tickets[t] = ticketInfo{user: user, expires: now.Add(ticketLifetime)}
	return t
}

func (a *authDB) verifyTicket(t string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ti, ok := a.tickets[t]
	if !ok || time.Now().After(ti.expires) {
		return "", false
	}
	return ti.user, true
}

// csrfToken is "<hextime>:<mac>" over the user, like PVE's assemble_csrf_prevention_token.
func (a *authDB) csrfToken(user string) string {
	ts := fmt.Sprintf("%08X", time.Now().Unix())
	return ts + ":" + a.csrfMAC(ts, user)
}

func (a *authDB) csrfMAC(ts, user string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(ts + ":" + user))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

func (a *authDB) verifyCSRF(user, token string) bool {
	ts, mac, ok := strings.Cut(token, ":")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(ts, 16, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > ticketLifetime {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(a.csrfMAC(ts, user)))
}

// authenticate implements pve-manager's auth_handler: an API token header, or a
// ticket cookie plus CSRFPreventionToken on writes. Errors are 401s with PVE's text.
func (s *Sim) authenticate(r *http.Request) (user string, isToken bool, err *apiError) {
	a := &s.auth
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "PVEAPIToken") {
		v := strings.TrimLeft(strings.TrimPrefix(h, "PVEAPIToken"), "= ")
		i := strings.LastIndex(v, "=")
		if i < 0 {
			return "", false, &apiError{status: 401, msg: "Authentication failed!\n"}
		}
		id, secret := strings.TrimSpace(v[:i]), strings.TrimSpace(v[i+1:])
		if !s.verifyToken(id, secret) {
			return "", false, &apiError{status: 401, msg: "Authentication failed!\n"}
		}
		return id, true, nil
	}
	c, cerr := r.Cookie("PVEAuthCookie")
	if cerr != nil || c.Value == "" {
		return "", false, &apiError{status: 401, msg: "No ticket\n"}
	}
	ticket := c.Value
	if u, uerr := unescapeCookie(ticket); uerr == nil {
		ticket = u
	}
	user, ok := a.verifyTicket(ticket)
	if !ok {
		return "", false, &apiError{status: 401, msg: "Authentication failed!\n"}
	}
	if r.Method != http.MethodGet && !a.verifyCSRF(user, r.Header.Get("CSRFPreventionToken")) {
		return "", false, &apiError{status: 401, msg: "Permission denied - invalid csrf token\n"}
	}
	return user, false, nil
}

func unescapeCookie(v string) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	return url.PathUnescape(v)
}

// handleCreateTicket is POST /access/ticket (create_ticket).
func (s *Sim) handleCreateTicket(rc *reqCtx) (any, error) {
	username := rc.str("username")
	if realm := rc.str("realm"); realm != "" && !strings.Contains(username, "@") {
		username += "@" + realm
	}
	password := rc.str("password")
	a := &s.auth
	ok := false
	if strings.HasPrefix(password, "PVE:") {
		if u, valid := a.verifyTicket(password); valid && u == username {
			ok = true
		}
	} else {
		a.mu.Lock()
		want, found := a.passwords[username]
		a.mu.Unlock()
		ok = found && subtle.ConstantTimeCompare([]byte(want), []byte(password)) == 1
	}
	// authenticate_user: the user must exist in user.cfg, enabled and unexpired
	if ok && s.userConfig().userEnabled(username) != nil {
		ok = false
	}
	if !ok {
		return nil, &apiError{status: 401, msg: "authentication failure\n"}
	}
	return map[string]any{
		"username":            username,
		"ticket":              a.newTicket(username),
		"CSRFPreventionToken": a.csrfToken(username),
		"clustername":         s.clusterName,
		"cap":                 map[string]any{},
	}, nil
}

// verifyToken is AccessControl::verify_token: the token's user exists in
// user.cfg, enabled and unexpired, the token exists there and has not expired,
// and the secret is the one in priv/token.cfg.
func (s *Sim) verifyToken(id, secret string) bool {
	owner, name, ok := splitTokenID(id)
	if !ok {
		return false
	}
	uc := s.userConfig()
	if uc.userEnabled(owner) != nil {
		return false
	}
	tok := uc.users[owner].tokens[name]
	if tok == nil || (tok.expire > 0 && tok.expire < time.Now().Unix()) {
		return false
	}
	want, found := s.tokenSecrets()[id]
	if !found {
		s.auth.mu.Lock()
		want, found = s.auth.tokens[id]
		s.auth.mu.Unlock()
	}
	return found && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1
}
