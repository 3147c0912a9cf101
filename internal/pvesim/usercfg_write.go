package pvesim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// initUserConfig writes user.cfg and priv/token.cfg into a new data
// directory: root@pam, its token root@pam!sim without privilege separation
// (so with root@pam's privileges, yet not root@pam for root-only checks) and
// the users and tokens of the options. An existing user.cfg is kept; the
// secrets of this run's tokens are added to token.cfg.
func (s *Sim) initUserConfig(opts Options) error {
	if err := os.MkdirAll(filepath.Join(s.dataDir, "etc/pve/priv"), 0o700); err != nil {
		return err
	}
	ucPath := filepath.Join(s.dataDir, userCfgFile)
	if _, err := os.Stat(ucPath); errors.Is(err, os.ErrNotExist) {
		var b strings.Builder
		b.WriteString("user:root@pam:1:0:::root@localhost::\n")
		users := map[string]bool{"root@pam": true}
		for _, u := range sortedKeys(opts.Users) {
			if !users[u] {
				users[u] = true
				b.WriteString("user:" + u + ":1:0::::::\n")
			}
		}
		for _, id := range sortedKeys(opts.Tokens) {
			if u, _, ok := splitTokenID(id); ok && !users[u] {
				users[u] = true
				b.WriteString("user:" + u + ":1:0::::::\n")
			}
		}
		b.WriteString("token:" + s.creds.TokenID + ":0:0::\n")
		for _, id := range sortedKeys(opts.Tokens) {
			if id != s.creds.TokenID {
				b.WriteString("token:" + id + ":0:1::\n")
			}
		}
		if err := os.WriteFile(ucPath, []byte(b.String()), 0o640); err != nil { //nolint:gosec // pmxcfs shows files 0640
			return err
		}
	} else if err != nil {
		return err
	}
	secrets := map[string]string{}
	for id, sec := range s.auth.tokens {
		secrets[id] = sec
	}
	return s.writeTokenSecrets(secrets)
}

// writeTokenSecrets adds (or replaces) token secrets in priv/token.cfg.
func (s *Sim) writeTokenSecrets(add map[string]string) error {
	p := filepath.Join(s.dataDir, tokenCfgFile)
	all := map[string]string{}
	for id, sec := range s.tokenSecrets() {
		all[id] = sec
	}
	for id, sec := range add {
		all[id] = sec
	}
	var b strings.Builder
	for _, id := range sortedKeys(all) {
		b.WriteString(id + " " + all[id] + "\n")
	}
	s.aclMu.Lock()
	defer s.aclMu.Unlock()
	return os.WriteFile(p, []byte(b.String()), 0o600)
}

// AddUserConfig appends lines to user.cfg (user:, group:, role:, token:,
// acl:, pool: lines in PVE's format), as `pveum` would write them.
func (s *Sim) AddUserConfig(lines string) error {
	s.aclMu.Lock()
	defer s.aclMu.Unlock()
	f, err := os.OpenFile(filepath.Join(s.dataDir, userCfgFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if !strings.HasSuffix(lines, "\n") {
		lines += "\n"
	}
	if _, err := f.WriteString(lines); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// AddToken creates the API token tokenid ("user@realm!name", its user must
// exist in user.cfg) like `pveum user token add`, with or without privilege
// separation, and returns its secret.
func (s *Sim) AddToken(tokenid string, privsep bool) (string, error) {
	if _, _, ok := splitTokenID(tokenid); !ok {
		return "", errors.New("invalid token id " + tokenid)
	}
	ps := "0"
	if privsep {
		ps = "1"
	}
	if err := s.AddUserConfig("token:" + tokenid + ":0:" + ps + "::"); err != nil {
		return "", err
	}
	secret := randomUUID()
	return secret, s.writeTokenSecrets(map[string]string{tokenid: secret})
}
