// Package pve wraps go-proxmox for the provider: typed decoding where
// go-proxmox's structs are wrong for real PVE answers (cpulimit strings,
// nomatch 1, ...), task waiting with PVE's success semantics, VMID allocation
// and error classification by PVE's message texts (PVE has no 404s).
package pve

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	proxmox "github.com/luthermonson/go-proxmox"
)

// Config says how to reach and authenticate against the PVE API.
type Config struct {
	Endpoint string // https://host:8006/api2/json (a missing /api2/json is added)
	// APIToken is "user@realm!name=secret"; alternatively Username + Password (ticket auth,
	// needed for PVE's root@pam-only operations).
	APIToken           string
	Username, Password string
	Insecure           bool   // skip TLS verification (never the default)
	CACertPEM          []byte // extra trusted CA(s)
	Timeout            time.Duration
}

// Client is the provider's PVE API client.
type Client struct {
	api       *proxmox.Client
	endpoint  string
	user      string
	transport *http.Transport

	// allocMu serialises this client's VMID allocations (nextid, then the
	// create that takes the VMID), so the creates of one run never race
	// each other for the same VMID; only other clients can still win one.
	allocMu sync.Mutex
}

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// New builds a client; it does not contact the server.
func New(cfg Config) (*Client, error) {
	ep := strings.TrimRight(cfg.Endpoint, "/")
	if ep == "" {
		return nil, errors.New("endpoint is empty")
	}
	if !strings.HasSuffix(ep, "/api2/json") {
		ep += "/api2/json"
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.Insecure {
		tlsCfg.InsecureSkipVerify = true // #nosec G402 -- explicit, documented opt-out
	}
	if len(cfg.CACertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("the CA certificate is not valid PEM")
		}
		tlsCfg.RootCAs = pool
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	tr := &http.Transport{
		TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 15 * time.Second,
	}
	// Every attempt is logged (logTransport), the retries around them; a
	// 403 carries PVE's reason (permissionTransport).
	hc := &http.Client{Timeout: timeout, Transport: &permissionTransport{base: &retryTransport{base: &logTransport{base: tr}, policy: DefaultRetryPolicy}}}
	opts := []proxmox.Option{proxmox.WithHTTPClient(hc), proxmox.WithUserAgent("terraform-provider-hardened")}
	c := &Client{endpoint: ep, transport: tr}
	switch {
	case cfg.APIToken != "":
		id, secret, ok := strings.Cut(cfg.APIToken, "=")
		if !ok || !strings.Contains(id, "!") || secret == "" {
			return nil, errors.New("api_token must look like 'user@realm!tokenname=secret'")
		}
		opts = append(opts, proxmox.WithAPIToken(id, secret))
		c.user = id
	case cfg.Username != "":
		opts = append(opts, proxmox.WithCredentials(&proxmox.Credentials{Username: cfg.Username, Password: cfg.Password}))
		c.user = cfg.Username
	default:
		return nil, errors.New("either an API token or a username and password are required")
	}
	c.api = proxmox.NewClient(ep, opts...)
	return c, nil
}

// API is the underlying go-proxmox client.
func (c *Client) API() *proxmox.Client { return c.api }

// User is the authenticated identity ("root@pam" or a token id).
func (c *Client) User() string { return c.user }

// IsRootPam reports whether PVE's root@pam-only operations are allowed
// (only ticket auth as exactly root@pam; a root@pam API token is not root).
func (c *Client) IsRootPam() bool { return c.user == "root@pam" }

// Error classification by PVE's texts (go-proxmox keeps only the status line).

// IsNotFound: the CT's config file does not exist.
func IsNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Configuration file 'nodes/") && strings.Contains(err.Error(), "does not exist")
}

// IsAlreadyExists: a VMID race lost ("CT 100 already exists on node 'x'").
func IsAlreadyExists(err error) bool {
	return err != nil && strings.Contains(err.Error(), " already exists")
}

// IsLocked: "CT is locked (...)" or a config lock timeout.
func IsLocked(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "is locked (") || strings.Contains(err.Error(), "got timeout"))
}

// IsDigestMismatch: someone changed the config since we read it.
func IsDigestMismatch(err error) bool {
	return err != nil && strings.Contains(err.Error(), "detected modified configuration")
}

// IsPermission: a 403 (a PermissionError with PVE's reason) or a 401
// (go-proxmox's ErrNotAuthorized).
func IsPermission(err error) bool {
	_, ok := AsPermission(err)
	return ok || errors.Is(err, proxmox.ErrNotAuthorized)
}

func ctPath(node string, vmid int, suffix string) string {
	return fmt.Sprintf("/nodes/%s/lxc/%d%s", node, vmid, suffix)
}
