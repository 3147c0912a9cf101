// Package pvesim simulates the Proxmox VE 9.1 REST API for LXC containers and
// their firewall, with its state kept in files laid out like pmxcfs
// (DIR/etc/pve/...), so that what a client (or an admin editing a file) writes
// is what the API shows, exactly as on PVE. See README.md in this directory for
// the endpoints and the known deviations from real PVE.
package pvesim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

// Options configures a simulator.
type Options struct {
	// DataDir holds the state (DIR/etc/pve/...). Empty: a temporary directory
	// that Stop removes.
	DataDir string
	// Nodes are the cluster node names (default: "pve1").
	Nodes []string
	// Listen is the address to listen on (default "127.0.0.1:0", a free port).
	Listen string
	// PlainHTTP serves http:// instead of https:// with a self-signed certificate.
	PlainHTTP bool
	// Timing sets task durations (zero value: DefaultTiming()).
	Timing *Timing
	// UnauthorizedDelay delays 401 answers (pveproxy: 3 s). Negative: none.
	UnauthorizedDelay time.Duration
	// Seed seeds the fault-injection and MAC-address random sources.
	Seed int64
	// Password of root@pam (default: random). TokenSecret of root@pam!sim (default: random UUID).
	Password, TokenSecret string
	// Users adds more users (user@realm -> password), Tokens more API tokens
	// (id -> secret, privilege-separated). A new data directory's user.cfg
	// lists them without any ACL: grant privileges with AddUserConfig (or by
	// writing DataDir/etc/pve/user.cfg), as on PVE.
	Users, Tokens map[string]string
	// Backend runs containers (default: an in-memory backend that only tracks
	// state, after lxc-start's checks of the seccomp and AppArmor files).
	Backend Backend
	// LockExpiry is how long a cluster lock (etc/pve/priv/lock/<id>) is
	// honoured before it expires and is removed (pmxcfs: 120 s, the
	// default). Tests that leave a lock behind on purpose (a killed writer)
	// shorten it.
	LockExpiry time.Duration
	// LXC, when set (and Backend is not), runs containers with real LXC on
	// this machine (NewLXC's backend; see "Real-LXC backend" in README.md).
	LXC *LXCOptions
	// CgroupLayout is the cgroup layout the nodes report in their
	// /proc/self/mountinfo (DIR/proc/self/mountinfo): CgroupUnified (default,
	// as on PVE 7 and later), CgroupHybrid or CgroupLegacy.
	CgroupLayout string
	// NodeIPs overrides the nodes' cluster addresses (GET /cluster/status);
	// default 127.0.0.N for the N-th node.
	NodeIPs map[string]string
	// Logf receives PVE-style warnings (config parse warnings etc.). Nil: silent.
	Logf func(format string, a ...any)
}

// Credentials are how clients authenticate against the simulator.
type Credentials struct {
	Username    string // "root@pam", for ticket auth (POST /access/ticket)
	Password    string
	TokenID     string // "root@pam!sim": an API token (NOT root@pam for root-only checks)
	TokenSecret string
}

// APIToken returns the token in the provider's "id=secret" form.
func (c Credentials) APIToken() string { return c.TokenID + "=" + c.TokenSecret }

// Sim is a running simulator.
type Sim struct {
	dataDir     string
	ownDataDir  bool
	nodes       []string
	timing      Timing
	creds       Credentials
	clusterName string

	unauthorizedDelay time.Duration
	lockExpiry        time.Duration
	auth              authDB
	aclMu             sync.Mutex
	userCfgCache      cachedFile
	tokenCfgCache     cachedFile
	tasks             taskRegistry
	faults            *Faults
	stats             Stats
	routes            router
	backend           Backend
	logFn             func(string, ...any)
	nodeIPs           map[string]string

	claimMu sync.Mutex
	macRNG  *lockedRand

	runMu      sync.Mutex
	running    map[int]*runState
	pidCounter int       // see nextPid
	booted     time.Time // the simulated nodes' boot (see writeProc)

	listener net.Listener
	srv      *http.Server
	baseURL  string
	certPEM  []byte
	certFP   string
	stopping chan struct{}
	stopOnce sync.Once
}

// Start creates the data directory layout and serves the API.
func Start(opts Options) (*Sim, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		s.cleanup()
		return nil, err
	}
	s.listener = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		// pveproxy speaks HTTP/1.1 only; reason phrases need HTTP/1.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){}}
	scheme := "http"
	if !opts.PlainHTTP {
		cert, certPEM, fp, err := s.loadOrCreateCert(ln.Addr().(*net.TCPAddr).IP)
		if err != nil {
			ln.Close()
			s.cleanup()
			return nil, err
		}
		s.certPEM, s.certFP = certPEM, fp
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		ln = tls.NewListener(ln, s.srv.TLSConfig)
		scheme = "https"
	}
	s.baseURL = fmt.Sprintf("%s://%s", scheme, s.listener.Addr().String())
	go func() { _ = s.srv.Serve(ln) }()
	go s.expireLocks()
	return s, nil
}

// New builds a simulator without listening (use it as an http.Handler).
func New(opts Options) (*Sim, error) {
	s := &Sim{nodes: opts.Nodes, clusterName: "pvesim", stopping: make(chan struct{}), running: map[int]*runState{}}
	if len(s.nodes) == 0 {
		s.nodes = []string{"pve1"}
	}
	for _, n := range s.nodes {
		if !validNodeName(n) {
			return nil, fmt.Errorf("invalid node name %q", n)
		}
	}
	s.lockExpiry = opts.LockExpiry
	if s.lockExpiry <= 0 {
		s.lockExpiry = cfsLockExpiry
	}
	s.dataDir = opts.DataDir
	if s.dataDir == "" {
		d, err := os.MkdirTemp("", "pvesim-")
		if err != nil {
			return nil, err
		}
		s.dataDir, s.ownDataDir = d, true
	}
	abs, err := filepath.Abs(s.dataDir)
	if err != nil {
		return nil, err
	}
	s.dataDir = abs
	if err := writeNodeView(s.dataDir, opts.CgroupLayout); err != nil {
		s.cleanup()
		return nil, err
	}
	s.timing = DefaultTiming()
	if opts.Timing != nil {
		s.timing = *opts.Timing
	}
	s.unauthorizedDelay = 3 * time.Second
	if opts.UnauthorizedDelay != 0 {
		s.unauthorizedDelay = max(opts.UnauthorizedDelay, 0)
	}
	s.faults = newFaults(opts.Seed)
	s.macRNG = newLockedRand(opts.Seed)
	s.logFn = opts.Logf
	s.backend = opts.Backend
	if s.backend == nil && opts.LXC != nil {
		b, err := newLXCBackend(s.dataDir, *opts.LXC, s.logFn)
		if err != nil {
			s.cleanup()
			return nil, err
		}
		s.backend = b
	}
	if s.backend == nil {
		s.backend = memoryBackend{root: s.dataDir}
	}
	if _, isLXC := s.backend.(*LXCBackend); !isLXC {
		// a data directory last served with the real-LXC backend (a killed
		// simulator) must not send pct to its containers
		if err := pctemu.WriteLXCConf(s.dataDir, ""); err != nil {
			s.cleanup()
			return nil, err
		}
	}
	s.nodeIPs = opts.NodeIPs
	s.creds = Credentials{Username: "root@pam", Password: opts.Password, TokenID: "root@pam!sim", TokenSecret: opts.TokenSecret}
	if s.creds.Password == "" {
		s.creds.Password = randomHex(12)
	}
	if s.creds.TokenSecret == "" {
		s.creds.TokenSecret = randomUUID()
	}
	s.auth = authDB{passwords: map[string]string{s.creds.Username: s.creds.Password},
		tokens: map[string]string{s.creds.TokenID: s.creds.TokenSecret}, tickets: map[string]ticketInfo{}, key: []byte(randomHex(32))}
	for u, p := range opts.Users {
		s.auth.passwords[u] = p
	}
	for id, sec := range opts.Tokens {
		s.auth.tokens[id] = sec
	}
	s.tasks.tasks = map[string]*task{}
	s.tasks.nextPID = 0x1000 + os.Getpid()%0x10000
	s.booted = time.Now()
	if err := s.initDataDir(); err != nil {
		s.cleanup()
		return nil, err
	}
	if err := s.initUserConfig(opts); err != nil {
		s.cleanup()
		return nil, err
	}
	s.registerRoutes()
	return s, nil
}

func validNodeName(n string) bool {
	if n == "" || len(n) > 63 {
		return false
	}
	for i, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (r == '-' && i > 0)) {
			return false
		}
	}
	return true
}

// initDataDir creates the pmxcfs-like layout and the preloaded templates.
func (s *Sim) initDataDir() error {
	dirs := []string{"etc/pve/firewall", "run/lock/lxc", "var/lib/vz/template/cache"}
	for _, n := range s.nodes {
		dirs = append(dirs, filepath.Join("etc/pve/nodes", n, "lxc"))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(s.dataDir, d), 0o755); err != nil {
			return err
		}
	}
	// a new boot: no process of an earlier run is left in /proc
	if err := removeProcesses(filepath.Join(s.dataDir, "proc")); err != nil {
		return err
	}
	if err := s.writeBootID(); err != nil {
		return err
	}
	// pmxcfs's /etc/pve/local: the link to the local node's directory (the
	// simulator's machine is its first node)
	if _, err := os.Lstat(filepath.Join(s.dataDir, "etc/pve/local")); errors.Is(err, os.ErrNotExist) {
		if err := os.Symlink("nodes/"+s.nodes[0], filepath.Join(s.dataDir, "etc/pve/local")); err != nil {
			return err
		}
	}
	for _, t := range preloadedTemplates {
		p := filepath.Join(s.dataDir, "var/lib/vz/template/cache", t.file)
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(p, []byte(t.content()), 0o644); err != nil {
				return err
			}
		}
	}
	return s.writeNodeFiles()
}

func (s *Sim) logf(format string, a ...any) {
	if s.logFn != nil {
		s.logFn(format, a...)
	}
}

func (s *Sim) isNode(n string) bool {
	for _, x := range s.nodes {
		if x == n {
			return true
		}
	}
	return false
}

// URL is the server's base URL (scheme://host:port).
func (s *Sim) URL() string { return s.baseURL }

// Endpoint is the API base URL clients use: URL() + "/api2/json".
func (s *Sim) Endpoint() string { return s.baseURL + apiPrefix }

// Credentials returns the root@pam password and the root@pam!sim token.
func (s *Sim) Credentials() Credentials { return s.creds }

// DataDir is the state directory (its etc/pve is the simulated pmxcfs).
func (s *Sim) DataDir() string { return s.dataDir }

// Nodes returns the cluster node names.
func (s *Sim) Nodes() []string { return append([]string(nil), s.nodes...) }

// CertPEM returns the self-signed certificate (nil for plain HTTP).
func (s *Sim) CertPEM() []byte { return s.certPEM }

// CertFingerprint is the SHA-256 fingerprint of the certificate, colon-separated hex.
func (s *Sim) CertFingerprint() string { return s.certFP }

// Faults gives access to fault injection.
func (s *Sim) Faults() *Faults { return s.faults }

// Stats returns request counts per "METHOD /path/template".
func (s *Sim) Stats() *Stats { return &s.stats }

// Stop stops serving, waits for running tasks and removes a temporary data directory.
func (s *Sim) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		close(s.stopping)
		if s.srv != nil {
			// net/http closes a connection that never carried a request
			// (a client's spare dial, e.g. under parallel requests) only
			// after 5 s in StateNew: wait longer than that
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = s.srv.Shutdown(ctx)
			if err != nil {
				_ = s.srv.Close()
			}
		}
		s.tasks.wait()
		if c, ok := s.backend.(interface{ Close() error }); ok {
			_ = c.Close()
		}
		s.cleanup()
	})
	return err
}

func (s *Sim) cleanup() {
	if s.ownDataDir && strings.Contains(s.dataDir, "pvesim-") {
		_ = os.RemoveAll(s.dataDir)
	}
}
