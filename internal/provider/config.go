package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/crypto/ssh"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// Environment variables. The PROXMOX_VE_* names are those of the
// bpg/proxmox provider, so one environment serves both.
const (
	EnvEndpoint      = "PROXMOX_VE_ENDPOINT"
	EnvAPIToken      = "PROXMOX_VE_API_TOKEN" //nolint:gosec // a variable name, not a credential
	EnvUsername      = "PROXMOX_VE_USERNAME"
	EnvPassword      = "PROXMOX_VE_PASSWORD" //nolint:gosec // a variable name, not a credential
	EnvInsecure      = "PROXMOX_VE_INSECURE"
	EnvSSHUsername   = "PROXMOX_VE_SSH_USERNAME"
	EnvSSHPrivateKey = "PROXMOX_VE_SSH_PRIVATE_KEY"
	EnvSSHAgent      = "PROXMOX_VE_SSH_AGENT"

	EnvCAFile        = "HARDENED_CA_FILE"
	EnvNodeAccess    = "HARDENED_NODE_ACCESS"
	EnvNodeRoot      = "HARDENED_NODE_ROOT"
	EnvSSHKnownHosts = "HARDENED_SSH_KNOWN_HOSTS"
	EnvSSHPort       = "HARDENED_SSH_PORT"
)

// providerModel is the provider configuration.
type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	APIToken       types.String `tfsdk:"api_token"`
	Username       types.String `tfsdk:"username"`
	Password       types.String `tfsdk:"password"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	CAFile         types.String `tfsdk:"ca_file"`
	CAPEM          types.String `tfsdk:"ca_pem"`
	TimeoutSeconds types.Int64  `tfsdk:"timeout_seconds"`
	NodeAccess     types.String `tfsdk:"node_access"`
	NodeRoot       types.String `tfsdk:"node_root"`
	AppArmorLoad   types.String `tfsdk:"apparmor_load"`
	Baseline       types.Object `tfsdk:"baseline"`
	SSH            *sshModel    `tfsdk:"ssh"`
}

type sshModel struct {
	Username              types.String            `tfsdk:"username"`
	Sudo                  types.Bool              `tfsdk:"sudo"`
	SFTPServer            types.String            `tfsdk:"sftp_server"`
	PrivateKey            types.String            `tfsdk:"private_key"`
	PrivateKeyFile        types.String            `tfsdk:"private_key_file"`
	PrivateKeyPassphrase  types.String            `tfsdk:"private_key_passphrase"`
	Agent                 types.Bool              `tfsdk:"agent"`
	KnownHostsFile        types.String            `tfsdk:"known_hosts_file"`
	InsecureIgnoreHostKey types.Bool              `tfsdk:"insecure_ignore_host_key"`
	VerifyNodeIdentity    types.Bool              `tfsdk:"verify_node_identity"`
	Port                  types.Int64             `tfsdk:"port"`
	Nodes                 map[string]sshNodeModel `tfsdk:"nodes"`
}

type sshNodeModel struct {
	Address types.String `tfsdk:"address"`
	Port    types.Int64  `tfsdk:"port"`
}

// settings is the resolved configuration (config, then environment, then defaults).
type settings struct {
	Endpoint     string
	EndpointHost string // host of the endpoint URL: the default SSH address

	AuthMethod string // "api_token" or "ticket"
	APIToken   string
	Username   string
	Password   string

	Insecure     bool
	CAPEM        []byte
	Timeout      time.Duration
	NodeAccess   string
	NodeRoot     string
	AppArmorLoad string

	SSH sshSettings
}

type sshSettings struct {
	User                  string
	Sudo                  bool   // everything as root through sudo -n
	SFTPServer            string // the SFTP server run through sudo
	PrivateKey            []byte
	Passphrase            []byte
	Agent                 bool
	KnownHostsFile        string
	InsecureIgnoreHostKey bool
	VerifyNodeIdentity    bool
	Port                  int
	Nodes                 map[string]nodeAddr
}

type nodeAddr struct {
	Address string // "" = the endpoint's host
	Port    int    // 0 = SSH.Port
}

// sshAddr returns where to reach node over SSH without the cluster's
// addresses (see pickSSHTarget).
func (s *settings) sshAddr(node string) (string, int) {
	t := pickSSHTarget(s, node, nil)
	return t.Host, t.Port
}

// secrets lists the secret values present (for log masking).
func (s *settings) secrets() []string {
	var out []string
	for _, v := range []string{s.APIToken, s.Password, string(s.SSH.PrivateKey), string(s.SSH.Passphrase)} {
		if v != "" {
			out = append(out, v)
		}
	}
	if _, secret, ok := strings.Cut(s.APIToken, "="); ok && secret != "" {
		out = append(out, secret)
	}
	return out
}

type lookupFunc func(string) (string, bool)

// envLookup treats empty variables as unset.
func envLookup(name string) (string, bool) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

// str returns the configured value, else the environment's.
func str(v types.String, env string, lookup lookupFunc) (string, bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString(), false
	}
	if env == "" {
		return "", false
	}
	e, _ := lookup(env)
	return e, e != ""
}

func boolean(v types.Bool, env string, lookup lookupFunc, p path.Path, diags *diag.Diagnostics) (val, fromEnv bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), false
	}
	if env == "" {
		return false, false
	}
	e, ok := lookup(env)
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(e)
	if err != nil {
		diags.AddAttributeError(p, "Invalid environment variable "+env,
			fmt.Sprintf("%s must be true or false (also 1/0), not %q.", env, e))
		return false, true
	}
	return b, true
}

// checkAPIToken returns "" or what is wrong with a token, never its value.
func checkAPIToken(tok string) string {
	id, secret, ok := strings.Cut(tok, "=")
	if !ok || secret == "" {
		return "must look like user@realm!tokenid=secret (the '=secret' part is missing)"
	}
	user, name, ok := strings.Cut(id, "!")
	if !ok || name == "" {
		return "must look like user@realm!tokenid=secret (the '!tokenid' part is missing)"
	}
	if u, realm, ok := strings.Cut(user, "@"); !ok || u == "" || realm == "" {
		return "must look like user@realm!tokenid=secret (the user has no @realm)"
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "must not contain white space"
	}
	return ""
}

// expandHome expands a leading "~/".
func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~: %w", err)
		}
		return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
	}
	return p, nil
}

// resolve merges the configuration with the environment and the defaults
// and checks it. Configuration values win over environment variables.
func resolve(m providerModel, lookup lookupFunc) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s settings
	resolveEndpoint(m, lookup, &s, &diags)
	resolveAuth(m, lookup, &s, &diags)
	resolveTLS(m, lookup, &s, &diags)
	resolveTimeout(m, &s, &diags)
	resolveNodeChannel(m, lookup, &s, &diags)
	resolveSSH(m.SSH, s.NodeAccess, lookup, &s, &diags)
	return s, diags
}

// resolveEndpoint sets the API endpoint and its host (the default SSH address).
func resolveEndpoint(m providerModel, lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	ep, epEnv := str(m.Endpoint, EnvEndpoint, lookup)
	src := "`endpoint`"
	if epEnv {
		src = EnvEndpoint
	}
	if ep == "" {
		diags.AddAttributeError(path.Root("endpoint"), "Missing PVE API endpoint",
			"endpoint is not set: set `endpoint` or "+EnvEndpoint+" to the URL of the PVE API, e.g. https://pve1.example.com:8006.")
		return
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		diags.AddAttributeError(path.Root("endpoint"), "Invalid PVE API endpoint",
			fmt.Sprintf("%s (%q) must be an http(s) URL with a host, e.g. https://pve1.example.com:8006.", src, ep))
		return
	}
	s.Endpoint = ep
	s.EndpointHost = u.Hostname()
	if u.Scheme == "http" {
		diags.AddAttributeWarning(path.Root("endpoint"), "PVE API endpoint uses plain HTTP",
			fmt.Sprintf("%s is %s: the API token or password and every container setting travel unencrypted "+
				"and unauthenticated. Use https:// (PVE's pveproxy serves HTTPS on port 8006).", src, ep))
	}
}

// resolveAuth picks exactly one authentication method. The configuration
// decides the method when it names one; otherwise the environment does.
func resolveAuth(m providerModel, lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	cfgTok, cfgUser, cfgPass := known(m.APIToken), known(m.Username), known(m.Password)
	switch {
	case cfgTok != "":
		s.AuthMethod, s.APIToken = "api_token", cfgTok
		if msg := checkAPIToken(cfgTok); msg != "" {
			diags.AddAttributeError(path.Root("api_token"), "Invalid API token", "api_token "+msg+" (the value is not shown: it is a secret).")
		}
		if cfgUser != "" || cfgPass != "" {
			diags.AddAttributeError(path.Root("api_token"), "Conflicting authentication settings",
				"Set either `api_token`, or `username` and `password`, not both.")
		}
	case cfgUser != "" || cfgPass != "":
		s.AuthMethod = "ticket"
		s.Username, s.Password = cfgUser, cfgPass
		userSrc := "`username`"
		if s.Username == "" {
			s.Username, _ = lookup(EnvUsername)
			userSrc = EnvUsername
		}
		if s.Password == "" {
			s.Password, _ = lookup(EnvPassword)
		}
		checkTicketAuth(s, userSrc, diags)
	default:
		resolveAuthEnv(lookup, s, diags)
	}
}

// resolveAuthEnv is resolveAuth when the configuration names no method.
func resolveAuthEnv(lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	envTok, _ := lookup(EnvAPIToken)
	envUser, _ := lookup(EnvUsername)
	envPass, _ := lookup(EnvPassword)
	switch {
	case envTok != "" && envUser != "":
		diags.AddAttributeError(path.Root("api_token"), "Conflicting authentication settings",
			fmt.Sprintf("Both %s and %s are set: the provider uses exactly one authentication method. "+
				"Unset one of them, or choose in the configuration with `api_token` or `username`/`password`.", EnvAPIToken, EnvUsername))
	case envTok != "":
		s.AuthMethod, s.APIToken = "api_token", envTok
		if msg := checkAPIToken(envTok); msg != "" {
			diags.AddAttributeError(path.Root("api_token"), "Invalid API token", EnvAPIToken+" "+msg+" (the value is not shown: it is a secret).")
		}
	case envUser != "" || envPass != "":
		s.AuthMethod, s.Username, s.Password = "ticket", envUser, envPass
		checkTicketAuth(s, EnvUsername, diags)
	default:
		diags.AddAttributeError(path.Root("api_token"), "Missing PVE API credentials",
			fmt.Sprintf("No credentials are set: set `api_token` (or %s) to an API token user@realm!tokenid=secret, "+
				"or `username` and `password` (or %s and %s) for ticket authentication.", EnvAPIToken, EnvUsername, EnvPassword))
	}
}

// resolveTLS sets certificate verification and the extra CA certificates.
func resolveTLS(m providerModel, lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	var insecureEnv bool
	s.Insecure, insecureEnv = boolean(m.Insecure, EnvInsecure, lookup, path.Root("insecure"), diags)
	if s.Insecure {
		src := "`insecure = true`"
		if insecureEnv {
			src = EnvInsecure
		}
		diags.AddAttributeWarning(path.Root("insecure"), "TLS certificate verification of the PVE API is DISABLED",
			src+" turns off the check of the API endpoint's certificate: anyone on the network path can impersonate "+
				"the PVE API, read the API token or password and change what the provider applies. "+
				"Trust the PVE CA with `ca_file` (on PVE: /etc/pve/pve-root-ca.pem) or `ca_pem` instead.")
	}
	if pem := known(m.CAPEM); pem != "" {
		s.CAPEM = []byte(pem)
		if !validPEMCerts(s.CAPEM) {
			diags.AddAttributeError(path.Root("ca_pem"), "Invalid CA certificate", "ca_pem does not contain a PEM certificate (-----BEGIN CERTIFICATE-----).")
		}
		return
	}
	f, fromEnv := str(m.CAFile, EnvCAFile, lookup)
	if f == "" {
		return
	}
	src := "ca_file"
	if fromEnv {
		src = EnvCAFile
	}
	if p, err := expandHome(f); err != nil {
		diags.AddAttributeError(path.Root("ca_file"), "Invalid CA file", fmt.Sprintf("%s %q: %v", src, f, err))
	} else if b, err := os.ReadFile(p); err != nil {
		diags.AddAttributeError(path.Root("ca_file"), "Cannot read the CA file", fmt.Sprintf("%s: %v", src, err))
	} else if !validPEMCerts(b) {
		diags.AddAttributeError(path.Root("ca_file"), "Invalid CA file", fmt.Sprintf("%s %s does not contain a PEM certificate.", src, p))
	} else {
		s.CAPEM = b
	}
}

// resolveTimeout sets the timeout of one API request.
func resolveTimeout(m providerModel, s *settings, diags *diag.Diagnostics) {
	s.Timeout = defaultTimeoutSeconds * time.Second
	if m.TimeoutSeconds.IsNull() || m.TimeoutSeconds.IsUnknown() {
		return
	}
	if n := m.TimeoutSeconds.ValueInt64(); n < 1 {
		diags.AddAttributeError(path.Root("timeout_seconds"), "Invalid timeout", "timeout_seconds must be at least 1.")
	} else {
		s.Timeout = time.Duration(n) * time.Second
	}
}

// resolveNodeChannel sets the node access mode, the node root and how
// AppArmor profiles are loaded.
func resolveNodeChannel(m providerModel, lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	mode, modeEnv := str(m.NodeAccess, EnvNodeAccess, lookup)
	if mode == "" {
		mode = NodeAccessSSH
	}
	if mode != NodeAccessSSH && mode != NodeAccessLocal {
		src := "node_access"
		if modeEnv {
			src = EnvNodeAccess
		}
		diags.AddAttributeError(path.Root("node_access"), "Invalid node access mode",
			fmt.Sprintf("%s is %q: it must be \"ssh\" (SSH/SFTP to each node) or \"local\" (Terraform runs on the PVE node).", src, mode))
	}
	if mode == NodeAccessLocal && !nodefs.LocalSupported {
		diags.AddAttributeError(path.Root("node_access"), "Local node access is not supported on Windows",
			nodefs.ErrLocalUnsupported.Error()+": a PVE node is Linux, so the local channel only works when Terraform runs on the node; "+
				"remove node_access (or set it to \"ssh\") and configure the ssh block.")
	}
	s.NodeAccess = mode
	root, rootEnv := str(m.NodeRoot, EnvNodeRoot, lookup)
	if root == "" {
		root = defaultNodeRoot
	}
	if !strings.HasPrefix(root, "/") || strings.ContainsRune(root, 0) {
		src := "node_root"
		if rootEnv {
			src = EnvNodeRoot
		}
		diags.AddAttributeError(path.Root("node_root"), "Invalid node root", fmt.Sprintf("%s (%q) must be an absolute path.", src, root))
	}
	s.NodeRoot = filepath.Clean(root)
	s.AppArmorLoad = providerdata.AppArmorLoadReplace
	if !m.AppArmorLoad.IsNull() && m.AppArmorLoad.ValueString() != "" {
		s.AppArmorLoad = m.AppArmorLoad.ValueString()
	}
}

func known(v types.String) string {
	if v.IsNull() || v.IsUnknown() {
		return ""
	}
	return v.ValueString()
}

func checkTicketAuth(s *settings, userSrc string, diags *diag.Diagnostics) {
	switch {
	case s.Username == "":
		diags.AddAttributeError(path.Root("username"), "Missing PVE username",
			fmt.Sprintf("username is not set: a password was given, so set `username` or %s (user@realm, e.g. root@pam).", EnvUsername))
	case !strings.Contains(s.Username, "@") || strings.Contains(s.Username, "!"):
		diags.AddAttributeError(path.Root("username"), "Invalid PVE username",
			fmt.Sprintf("%s (%q) must be user@realm, e.g. root@pam (API tokens go into `api_token`).", userSrc, s.Username))
	}
	if s.Password == "" {
		diags.AddAttributeError(path.Root("password"), "Missing PVE password",
			fmt.Sprintf("password is not set: set `password` or %s for the ticket authentication of %s.", EnvPassword, s.Username))
	}
}

func validPEMCerts(b []byte) bool {
	return strings.Contains(string(b), "-----BEGIN CERTIFICATE-----")
}

// resolveSSH sets the SSH settings of the node channel (warning that they
// are ignored with node_access = "local").
func resolveSSH(m *sshModel, mode string, lookup lookupFunc, s *settings, diags *diag.Diagnostics) {
	if m == nil {
		m = &sshModel{}
	}
	sp := path.Root("ssh")
	if mode == NodeAccessLocal {
		if known(m.PrivateKey) != "" || known(m.PrivateKeyFile) != "" || len(m.Nodes) > 0 || m.Agent.ValueBool() {
			diags.AddAttributeWarning(sp, "SSH settings are ignored",
				"node_access is \"local\": node files are accessed on this machine, so the `ssh` settings are not used.")
		}
		return
	}
	ss := &s.SSH
	ss.User, _ = str(m.Username, EnvSSHUsername, lookup)
	if ss.User == "" {
		ss.User = defaultSSHUser
	}
	resolveSSHSudo(m, ss, diags)
	resolveSSHCredentials(m, lookup, ss, diags)
	resolveSSHHostKeys(m, lookup, ss, diags)
	resolveSSHPort(m, lookup, ss, diags)
	resolveSSHNodes(m, ss, diags)
}

// resolveSSHCredentials sets the private key (config text, config file,
// environment text, in that order), its passphrase and the agent.
func resolveSSHCredentials(m *sshModel, lookup lookupFunc, ss *sshSettings, diags *diag.Diagnostics) {
	sp := path.Root("ssh")
	keyPath := sp.AtName("private_key")
	keySrc := "ssh.private_key"
	if k := known(m.PrivateKey); k != "" {
		ss.PrivateKey = []byte(k)
	} else if f := known(m.PrivateKeyFile); f != "" {
		keyPath, keySrc = sp.AtName("private_key_file"), "ssh.private_key_file"
		p, err := expandHome(f)
		if err == nil {
			ss.PrivateKey, err = os.ReadFile(p)
		}
		if err != nil {
			diags.AddAttributeError(keyPath, "Cannot read the SSH private key file", fmt.Sprintf("ssh.private_key_file: %v", err))
		}
	} else if k, ok := lookup(EnvSSHPrivateKey); ok {
		ss.PrivateKey, keySrc = []byte(k), EnvSSHPrivateKey
	}
	if pp := known(m.PrivateKeyPassphrase); pp != "" {
		ss.Passphrase = []byte(pp)
		if len(ss.PrivateKey) == 0 {
			diags.AddAttributeWarning(sp.AtName("private_key_passphrase"), "Passphrase without a private key",
				"ssh.private_key_passphrase is set but no private key is: it is not used.")
		}
	}
	if len(ss.PrivateKey) > 0 {
		if err := checkPrivateKey(ss.PrivateKey, ss.Passphrase); err != nil {
			diags.AddAttributeError(keyPath, "Invalid SSH private key", fmt.Sprintf("%s: %v", keySrc, err))
		}
	}
	ss.Agent, _ = boolean(m.Agent, EnvSSHAgent, lookup, sp.AtName("agent"), diags)
	if len(ss.PrivateKey) == 0 && !ss.Agent {
		diags.AddAttributeError(sp.AtName("private_key"), "Missing SSH credentials",
			fmt.Sprintf("node_access is \"ssh\" but no SSH credentials are set: set ssh.private_key, ssh.private_key_file "+
				"or %s, or ssh.agent = true (or %s=true) to use the SSH agent; or set node_access = \"local\" when "+
				"Terraform runs on the PVE node.", EnvSSHPrivateKey, EnvSSHAgent))
	}
}

// resolveSSHHostKeys sets the known_hosts file and warns when host key
// verification is off.
func resolveSSHHostKeys(m *sshModel, lookup lookupFunc, ss *sshSettings, diags *diag.Diagnostics) {
	sp := path.Root("ssh")
	kh, _ := str(m.KnownHostsFile, EnvSSHKnownHosts, lookup)
	if kh == "" {
		kh = defaultKnownHosts
	}
	if p, err := expandHome(kh); err != nil {
		diags.AddAttributeError(sp.AtName("known_hosts_file"), "Invalid known_hosts file", fmt.Sprintf("%q: %v", kh, err))
	} else {
		ss.KnownHostsFile = p
	}
	ss.InsecureIgnoreHostKey = m.InsecureIgnoreHostKey.ValueBool()
	ss.VerifyNodeIdentity = m.VerifyNodeIdentity.IsNull() || m.VerifyNodeIdentity.IsUnknown() || m.VerifyNodeIdentity.ValueBool()
	if ss.InsecureIgnoreHostKey {
		diags.AddAttributeWarning(sp.AtName("insecure_ignore_host_key"), "SSH host key verification is DISABLED",
			"ssh.insecure_ignore_host_key = true: the provider accepts any host key, so whoever can intercept the "+
				"connection can impersonate a node, capture the root SSH session and alter the hardening files "+
				"(AppArmor profile, capability drops, firewall) the provider writes. Add the nodes' host keys to "+
				"known_hosts (check the fingerprints on the nodes: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) "+
				"and remove this setting.")
	}
}

// resolveSSHPort sets the default SSH port of the nodes.
func resolveSSHPort(m *sshModel, lookup lookupFunc, ss *sshSettings, diags *diag.Diagnostics) {
	sp := path.Root("ssh")
	ss.Port = defaultSSHPort
	if !m.Port.IsNull() && !m.Port.IsUnknown() {
		ss.Port = int(m.Port.ValueInt64())
	} else if e, ok := lookup(EnvSSHPort); ok {
		n, err := strconv.Atoi(e)
		if err != nil || n < 1 || n > 65535 {
			diags.AddAttributeError(sp.AtName("port"), "Invalid environment variable "+EnvSSHPort,
				fmt.Sprintf("%s must be a port number 1-65535, not %q.", EnvSSHPort, e))
		} else {
			ss.Port = n
		}
	}
	if ss.Port < 1 || ss.Port > 65535 {
		diags.AddAttributeError(sp.AtName("port"), "Invalid SSH port", fmt.Sprintf("ssh.port must be 1-65535, not %d.", ss.Port))
	}
}

// resolveSSHNodes sets the per-node SSH addresses and ports (ssh.nodes).
func resolveSSHNodes(m *sshModel, ss *sshSettings, diags *diag.Diagnostics) {
	sp := path.Root("ssh")
	ss.Nodes = map[string]nodeAddr{}
	for name, n := range m.Nodes {
		np := sp.AtName("nodes").AtMapKey(name)
		if !nodeNameRE.MatchString(name) {
			diags.AddAttributeError(np, "Invalid node name", fmt.Sprintf("ssh.nodes key %q is not a PVE node name.", name))
		}
		a := nodeAddr{Address: known(n.Address)}
		if strings.ContainsAny(a.Address, " /\t") || (n.Address.ValueString() == "" && !n.Address.IsNull()) {
			diags.AddAttributeError(np.AtName("address"), "Invalid SSH address", fmt.Sprintf("%q is not a host name or IP address.", a.Address))
		}
		if h, _, err := net.SplitHostPort(a.Address); err == nil && h != "" {
			diags.AddAttributeError(np.AtName("address"), "Invalid SSH address",
				fmt.Sprintf("%q contains a port: set ssh.nodes[%q].port instead.", a.Address, name))
		}
		if !n.Port.IsNull() {
			a.Port = int(n.Port.ValueInt64())
			if a.Port < 1 || a.Port > 65535 {
				diags.AddAttributeError(np.AtName("port"), "Invalid SSH port", fmt.Sprintf("port must be 1-65535, not %d.", a.Port))
			}
		}
		ss.Nodes[name] = a
	}
}

// checkPrivateKey parses the key like nodefs does, to report a bad key on
// the attribute at configure time. x/crypto's errors never quote key material.
func checkPrivateKey(key, passphrase []byte) error {
	var err error
	if len(passphrase) > 0 {
		_, err = ssh.ParsePrivateKeyWithPassphrase(key, passphrase)
	} else {
		_, err = ssh.ParsePrivateKey(key)
	}
	if err == nil {
		return nil
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return errors.New("the private key is passphrase-protected: set ssh.private_key_passphrase")
	case len(passphrase) > 0 && strings.Contains(err.Error(), "password"):
		return errors.New("cannot decrypt the private key: wrong ssh.private_key_passphrase")
	default:
		return fmt.Errorf("cannot parse the private key (PEM or OpenSSH format expected): %w", err)
	}
}
