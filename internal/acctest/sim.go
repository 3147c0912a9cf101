package acctest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/sshd"
)

// SSHD is a real OpenSSH sshd on 127.0.0.1 (see StartSSHD).
type SSHD = sshd.Server

// StartSSHD starts a private OpenSSH sshd on 127.0.0.1 and a free port,
// stopped (by its PID) when the test ends. It authenticates the current user
// with SSHD.ClientKeyPEM; SSHD.KnownHostsFile lists its host key and
// SSHD.WrongKnownHostsFile another key for the same address. Without
// /usr/sbin/sshd the test is skipped, or fails when HARDENED_TEST_REQUIRE
// lists "sshd".
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	return sshd.Start(t, sshd.Options{})
}

// Env is a running PVE simulator for one test.
type Env struct {
	Sim      *pvesim.Sim
	Endpoint string   // https://127.0.0.1:PORT/api2/json (http:// with WithPlainHTTP)
	Token    string   // API token root@pam!sim=SECRET (not root@pam for PVE's root-only checks)
	Username string   // root@pam, for ticket authentication
	Password string   // its password
	DataDir  string   // the simulator's state: DataDir/etc/pve/...; the provider's node_root
	Nodes    []string // node names
	CAFile   string   // the simulator's certificate (the CA to pin); "" with WithPlainHTTP

	t          testing.TB
	otherUsers bool // the sshd lets every local user log in
	httpClient *http.Client
	sshdOnce   sync.Once
	sshd       *SSHD
}

type simConfig struct {
	opts       pvesim.Options
	dcFWOff    bool
	noBackups  bool
	otherUsers bool
}

// SimOption configures StartSim.
type SimOption func(*simConfig)

// WithNodes sets the cluster's node names (default: pve1).
func WithNodes(nodes ...string) SimOption {
	return func(c *simConfig) { c.opts.Nodes = nodes }
}

// WithPlainHTTP serves http:// instead of https:// (the provider then warns).
func WithPlainHTTP() SimOption {
	return func(c *simConfig) { c.opts.PlainHTTP = true }
}

// WithRealisticTiming keeps PVE-like task durations instead of FastTiming.
func WithRealisticTiming() SimOption {
	return func(c *simConfig) { c.opts.Timing = nil }
}

// WithDatacenterFirewallOff leaves cluster.fw as PVE installs it: no file,
// so the datacenter firewall is off (PVE's default) and HC-FW-004 fails for
// every container. Without it StartSim enables the datacenter firewall, as
// on a hardened cluster.
func WithDatacenterFirewallOff() SimOption {
	return func(c *simConfig) { c.dcFWOff = true }
}

// DatacenterFirewallOn is the cluster.fw StartSim writes unless
// WithDatacenterFirewallOff: the datacenter firewall enabled, every other
// option PVE's default.
const DatacenterFirewallOn = "[OPTIONS]\n\nenable: 1\n\n"

// WithoutBackupJobs leaves /etc/pve/jobs.cfg as PVE installs it: no
// backup job, so HC-BAK-001 fails for every container. Without it StartSim
// writes BackupJobAll, as on a cluster whose containers are backed up.
func WithoutBackupJobs() SimOption {
	return func(c *simConfig) { c.noBackups = true }
}

// BackupJobAll is the jobs.cfg StartSim writes unless WithoutBackupJobs: one
// enabled nightly job backing up every guest of every node.
const BackupJobAll = "vzdump: backup-all\n\tschedule 21:00\n\tall 1\n\tcompress zstd\n\tenabled 1\n\tmode snapshot\n\tstorage local\n\n"

// WithSSHOtherUsers lets every local user log in to the test sshd with its
// client key (see sshd.Options.OtherUsers), for ProviderOptions.SSHUser.
func WithSSHOtherUsers() SimOption {
	return func(c *simConfig) { c.otherUsers = true }
}

// WithSimOptions edits the simulator options directly.
func WithSimOptions(f func(*pvesim.Options)) SimOption {
	return func(c *simConfig) { f(&c.opts) }
}

// StartSim starts a PVE simulator on a free loopback port, serving HTTPS
// with its own certificate (pinned by ProviderConfig through ca_file), fast
// tasks and no 401 delay; its data directory is a fresh t.TempDir(). It is
// stopped when the test ends.
func StartSim(t testing.TB, opts ...SimOption) *Env {
	t.Helper()
	requirePct(t)
	ft := pvesim.FastTiming()
	c := simConfig{opts: pvesim.Options{
		DataDir: t.TempDir(), Listen: "127.0.0.1:0", Timing: &ft, UnauthorizedDelay: -1, Seed: 1,
	}}
	for _, o := range opts {
		o(&c)
	}
	sim, err := pvesim.Start(c.opts)
	if err != nil {
		t.Fatalf("start the PVE simulator: %v", err)
	}
	if !c.dcFWOff {
		p := filepath.Join(sim.DataDir(), "etc/pve/firewall/cluster.fw")
		if err := os.WriteFile(p, []byte(DatacenterFirewallOn), 0o640); err != nil { //nolint:gosec // pmxcfs gives every file 0640, as PVE does
			_ = sim.Stop()
			t.Fatalf("enable the datacenter firewall: %v", err)
		}
	}
	if !c.noBackups {
		p := filepath.Join(sim.DataDir(), "etc/pve/jobs.cfg")
		if err := os.WriteFile(p, []byte(BackupJobAll), 0o640); err != nil { //nolint:gosec // pmxcfs gives every file 0640, as PVE does
			_ = sim.Stop()
			t.Fatalf("write the backup job: %v", err)
		}
	}
	creds := sim.Credentials()
	e := &Env{
		Sim: sim, Endpoint: sim.Endpoint(), Token: creds.APIToken(), Username: creds.Username, Password: creds.Password,
		DataDir: sim.DataDir(), Nodes: sim.Nodes(), t: t, otherUsers: c.otherUsers,
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	if pem := sim.CertPEM(); pem != nil {
		e.CAFile = filepath.Join(e.DataDir, pvesim.CertFile)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr.TLSClientConfig.RootCAs = pool
	}
	e.httpClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	t.Cleanup(func() {
		CloseNodeChannels(e.DataDir)
		tr.CloseIdleConnections()
		if err := sim.Stop(); err != nil {
			t.Errorf("stop the PVE simulator: %v", err)
		}
	})
	return e
}

// SSHD returns the sshd the "ssh" node access mode of ProviderConfig uses,
// starting it on first use (skipping the test without sshd, see StartSSHD).
// Its sessions find the simulator's node root and pct stand-in (SetEnv
// HARDENED_NODE_ROOT and PATH), so pct exec, push and pull work over the
// SSH channel as over the local one.
func (e *Env) SSHD() *SSHD {
	e.t.Helper()
	e.sshdOnce.Do(func() {
		e.sshd = sshd.Start(e.t, sshd.Options{OtherUsers: e.otherUsers, SetEnv: sshdSetEnv(e.DataDir)})
		// Registered after the sshd's own cleanup, so it runs before it:
		// the provider's SSH connections end before sshd is stopped.
		e.t.Cleanup(func() { CloseNodeChannels(e.DataDir) })
	})
	if e.sshd == nil {
		e.t.Fatal("sshd did not start (see the earlier failure)")
	}
	return e.sshd
}

// ProviderOptions says how ProviderConfigWith configures the provider.
type ProviderOptions struct {
	// Mode is the node access: "local" (node files in DataDir on this
	// machine) or "ssh" (SFTP through the test sshd to this machine, with
	// node_root = DataDir).
	Mode string
	// Auth is "token" (default: the root@pam!sim API token) or "ticket"
	// (username root@pam + password: PVE's root-only operations).
	Auth string
	// KnownHostsFile replaces the sshd's known_hosts file (mode "ssh"),
	// e.g. SSHD().WrongKnownHostsFile.
	KnownHostsFile string
	// PrivateKeyFile makes the ssh settings use private_key_file instead
	// of the inline private_key.
	PrivateKeyFile string
	// SSHUser replaces the sshd's user (the current one) as ssh.username
	// (mode "ssh"; see WithSSHOtherUsers).
	SSHUser string
	// SSHExtra is HCL added inside the ssh block (mode "ssh"), e.g. nodes.
	SSHExtra string
	// Extra is HCL added inside the provider block.
	Extra string
}

// ProviderConfig returns the provider "hardened" block for this simulator
// with node access mode "local" or "ssh" (which starts the test sshd).
func (e *Env) ProviderConfig(mode string) string {
	e.t.Helper()
	return e.ProviderConfigWith(ProviderOptions{Mode: mode})
}

// ProviderConfigWith returns the provider "hardened" block for this simulator.
func (e *Env) ProviderConfigWith(o ProviderOptions) string {
	e.t.Helper()
	var b strings.Builder
	b.WriteString("provider \"hardened\" {\n")
	attr := func(k, v string) { fmt.Fprintf(&b, "  %s = %s\n", k, v) }
	attr("endpoint", HCLString(e.Endpoint))
	switch o.Auth {
	case "", "token":
		attr("api_token", HCLString(e.Token))
	case "ticket":
		attr("username", HCLString(e.Username))
		attr("password", HCLString(e.Password))
	default:
		e.t.Fatalf("acctest: unknown auth %q (token or ticket)", o.Auth)
	}
	if e.CAFile != "" {
		attr("ca_file", HCLString(e.CAFile))
	}
	attr("node_root", HCLString(e.DataDir))
	// this kernel has no AppArmor: compile the generated profiles, do not load them
	attr("apparmor_load", `"check"`)
	switch o.Mode {
	case "local":
		attr("node_access", `"local"`)
	case "ssh":
		d := e.SSHD()
		kh := d.KnownHostsFile
		if o.KnownHostsFile != "" {
			kh = o.KnownHostsFile
		}
		attr("node_access", `"ssh"`)
		b.WriteString("  ssh = {\n")
		user := d.User
		if o.SSHUser != "" {
			user = o.SSHUser
		}
		fmt.Fprintf(&b, "    username         = %s\n", HCLString(user))
		if o.PrivateKeyFile != "" {
			fmt.Fprintf(&b, "    private_key_file = %s\n", HCLString(o.PrivateKeyFile))
		} else {
			fmt.Fprintf(&b, "    private_key      = <<-EOT\n%sEOT\n", indent(string(d.ClientKeyPEM), "      "))
		}
		fmt.Fprintf(&b, "    known_hosts_file = %s\n", HCLString(kh))
		fmt.Fprintf(&b, "    port             = %d\n", d.Port)
		if o.SSHExtra != "" {
			b.WriteString(indent(strings.TrimSuffix(o.SSHExtra, "\n")+"\n", "    "))
		}
		b.WriteString("  }\n")
	default:
		e.t.Fatalf("acctest: unknown node access mode %q (local or ssh)", o.Mode)
	}
	if o.Extra != "" {
		b.WriteString(o.Extra)
		if !strings.HasSuffix(o.Extra, "\n") {
			b.WriteString("\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

// HCLString quotes s as an HCL string literal (no interpolation).
func HCLString(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// Call sends an API request to the simulator with the API token, kv being
// form parameters as key, value pairs, and waits for the task when the
// answer is a task ID (UPID). It returns an error for an HTTP error or a
// failed task.
func (e *Env) Call(t testing.TB, method, path string, kv ...string) error {
	t.Helper()
	return e.CallJSON(t, method, path, nil, kv...)
}

// CallJSON is Call decoding the answer's data into out (unless nil; for a
// task, out receives the UPID).
func (e *Env) CallJSON(t testing.TB, method, path string, out any, kv ...string) error {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("acctest: Call %s %s: odd number of key/value arguments", method, path)
	}
	form := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	data, err := e.do(method, path, form)
	if err != nil {
		return err
	}
	var upid string
	if json.Unmarshal(data, &upid) == nil && strings.HasPrefix(upid, "UPID:") {
		if err := e.waitTask(upid); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, data, err)
		}
	}
	return nil
}

func (e *Env) do(method, path string, form url.Values) (json.RawMessage, error) {
	u := e.Endpoint + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "PVEAPIToken="+e.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(raw)))
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return env.Data, nil
}

func (e *Env) waitTask(upid string) error {
	parts := strings.Split(upid, ":")
	if len(parts) < 2 {
		return fmt.Errorf("malformed UPID %q", upid)
	}
	statusPath := "/nodes/" + parts[1] + "/tasks/" + url.PathEscape(upid) + "/status"
	deadline := time.Now().Add(60 * time.Second)
	for {
		data, err := e.do(http.MethodGet, statusPath, nil)
		if err != nil {
			return err
		}
		var st struct {
			Status     string `json:"status"`
			ExitStatus string `json:"exitstatus"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("task %s: decode status: %w", upid, err)
		}
		if st.Status == "stopped" {
			if st.ExitStatus != "OK" && !strings.HasPrefix(st.ExitStatus, "WARNINGS") {
				return fmt.Errorf("task %s failed: %s", upid, st.ExitStatus)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("task %s still running after 60s", upid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CTCount returns the number of containers on all nodes (through the API).
func (e *Env) CTCount(t testing.TB) int {
	t.Helper()
	n := 0
	for _, node := range e.Nodes {
		var list []map[string]any
		if err := e.CallJSON(t, http.MethodGet, "/nodes/"+node+"/lxc", &list); err != nil {
			t.Fatalf("count containers: %v", err)
		}
		n += len(list)
	}
	return n
}
