package pve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

const (
	logTestTokenSecret = "0b7e2c1a-token-secret-5f3d"
	logTestPassword    = "pw-hunter2-secret"
	logTestTicket      = "PVE:root@pam:65F0A1B2::ticket-secret-AAAA"
	logTestCSRF        = "65F0A1B2:csrf-secret-BBBB"
	logTestRootPW      = "ct-root-password-secret"
	logTestQuery       = "query-secret-CCCC"
)

// fakePVE answers the ticket login, /version and a container create, and
// records that the secrets did reach it (so that their absence from the
// logs means something).
func fakePVE(t *testing.T) (*httptest.Server, *strings.Builder) {
	t.Helper()
	var seen strings.Builder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen.WriteString(r.Header.Get("Authorization") + " " + r.Header.Get("Cookie") + " " + r.Header.Get("CSRFPreventionToken") +
			" " + r.URL.RawQuery + " " + string(body) + "\n")
		w.Header().Set("Content-Type", "application/json")
		cookie, _ := r.Cookie("PVEAuthCookie")
		if r.URL.Path != "/api2/json/access/ticket" && r.Header.Get("Authorization") == "" && (cookie == nil || cookie.Value != logTestTicket) {
			w.WriteHeader(http.StatusUnauthorized) // go-proxmox logs in on the first 401
			return
		}
		switch r.URL.Path {
		case "/api2/json/access/ticket":
			_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
				"ticket": logTestTicket, "CSRFPreventionToken": logTestCSRF, "username": "root@pam"}})
		case "/api2/json/version":
			_, _ = w.Write([]byte(`{"data":{"version":"9.1.1","release":"9.1","repoid":"x"}}`))
		default:
			_, _ = w.Write([]byte(`{"data":"UPID:pve1:00001234:00005678:65F0A1B2:vzcreate:101:root@pam:"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// TestRequestLogging: one DEBUG line per request under the pve subsystem
// with method, path, status and duration; never a header, the query string
// or a body, whichever authentication is used.
func TestRequestLogging(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"api token", Config{APIToken: "root@pam!tf=" + logTestTokenSecret}},
		{"ticket", Config{Username: "root@pam", Password: logTestPassword}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakePVE(t)
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			cfg := tc.cfg
			cfg.Endpoint = srv.URL
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.API().Version(ctx); err != nil {
				t.Fatal(err)
			}
			var upid string
			if err := c.API().Post(ctx, "/nodes/pve1/lxc?probe="+logTestQuery,
				map[string]string{"vmid": "101", "password": logTestRootPW}, &upid); err != nil {
				t.Fatal(err)
			}
			sent := []string{logTestRootPW, logTestQuery, "PVEAPIToken=root@pam!tf=" + logTestTokenSecret}
			if tc.cfg.Password != "" {
				sent = []string{logTestRootPW, logTestQuery, logTestPassword, logTestTicket, logTestCSRF}
			}
			for _, s := range sent {
				if !strings.Contains(seen.String(), s) {
					t.Fatalf("the fake PVE never saw %q: the test proves nothing", s)
				}
			}

			out := buf.String() // before decoding: that drains buf
			entries, err := tflogtest.MultilineJSONDecode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"GET /api2/json/version 200", "POST /api2/json/nodes/pve1/lxc 200"}
			if tc.cfg.Password != "" {
				want = []string{"GET /api2/json/version 401", "POST /api2/json/access/ticket 200", "GET /api2/json/version 200",
					"POST /api2/json/nodes/pve1/lxc 200"}
			}
			var got []string
			for _, e := range entries {
				if e["@message"] != "PVE API request" {
					continue
				}
				if e["@level"] != "debug" || e["@module"] != "provider."+LogSubsystem {
					t.Errorf("level %v, module %v: want debug, provider.%s", e["@level"], e["@module"], LogSubsystem)
				}
				if _, ok := e["duration_ms"].(float64); !ok {
					t.Errorf("no duration_ms in %v", e)
				}
				got = append(got, fmt.Sprintf("%v %v %v", e["method"], e["path"], e["status"]))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("logged requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(out) == 0 {
				t.Fatal("no logs")
			}
			for _, s := range []string{logTestTokenSecret, logTestPassword, logTestTicket, "ticket-secret", logTestCSRF, logTestRootPW, logTestQuery,
				"PVEAPIToken", "PVEAuthCookie", "CSRFPreventionToken"} {
				if strings.Contains(out, s) {
					t.Errorf("the logs contain %q:\n%s", s, out)
				}
			}
		})
	}
}

// TestRequestLoggingError: a failed request logs its error without the URL.
func TestRequestLoggingError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	tr := &logTransport{base: http.DefaultTransport}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api2/json/version?x="+logTestQuery, nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("want a connection error")
	}
	out := buf.String()
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil || len(entries) != 1 {
		t.Fatalf("want one log entry, got %v (%v)", entries, err)
	}
	e := entries[0]
	if e["path"] != "/api2/json/version" || e["error"] == nil || e["status"] != nil {
		t.Errorf("entry %v: want the path, an error and no status", e)
	}
	if strings.Contains(out, logTestQuery) {
		t.Errorf("the query string is logged: %s", out)
	}
}
