package pve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryPolicy: what is retried, how often, and what never is.
func TestRetryPolicy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		statuses []string // answers in order ("reset" closes the connection)
		calls    int
		final    int
	}{
		{"GET 500 then OK", "GET", []string{"500 Internal Server Error", "200"}, 2, 200},
		{"GET reset then OK", "GET", []string{"reset", "200"}, 2, 200},
		{"GET bounded", "GET", []string{"500 x", "500 x", "500 x", "500 x", "500 x", "500 x"}, 5, 500},
		{"GET not found is an answer", "GET", []string{"500 Configuration file 'nodes/pve1/lxc/1.conf' does not exist", "200"}, 1, 500},
		{"GET 400 never", "GET", []string{"400 Parameter verification failed.", "200"}, 1, 400},
		{"GET 403 never", "GET", []string{"403 Permission check failed", "200"}, 1, 403},
		{"PUT lock timeout", "PUT", []string{"500 can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout", "200"}, 2, 200},
		{"POST locked CT", "POST", []string{"500 CT is locked (backup)", "200"}, 2, 200},
		{"POST 500 never", "POST", []string{"500 Internal Server Error", "200"}, 1, 500},
		{"POST reset never", "POST", []string{"reset", "200"}, 1, 0},
		{"DELETE 502 never", "DELETE", []string{"502 Bad Gateway", "200"}, 1, 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				st := tc.statuses[min(i, len(tc.statuses)-1)]
				if st == "reset" {
					hj, _ := w.(http.Hijacker)
					c, _, _ := hj.Hijack()
					_ = c.Close()
					return
				}
				if st == "200" {
					w.WriteHeader(200)
					return
				}
				// PVE puts its message in the status line
				hj, _ := w.(http.Hijacker)
				c, buf, _ := hj.Hijack()
				_, _ = buf.WriteString("HTTP/1.1 " + st + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"data\":null}")
				_ = buf.Flush()
				_ = c.Close()
			}))
			defer srv.Close()
			var slept []time.Duration
			p := DefaultRetryPolicy
			p.sleepFunc = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
			p.randFloat = func() float64 { return 0.999 }
			c := &http.Client{Transport: &retryTransport{base: http.DefaultTransport, policy: p}}
			req, _ := http.NewRequest(tc.method, srv.URL, strings.NewReader("a=1"))
			res, err := c.Do(req)
			got := 0
			if err == nil {
				got = res.StatusCode
				res.Body.Close()
			}
			if int(n.Load()) != tc.calls || got != tc.final {
				t.Fatalf("calls %d (want %d), final %d (want %d), err %v", n.Load(), tc.calls, got, tc.final, err)
			}
			for i, d := range slept {
				if limit := DefaultRetryPolicy.BaseDelay << i; d > limit {
					t.Errorf("delay %d = %v > %v", i, d, limit)
				}
			}
		})
	}
}

// TestRetryHonoursCancel: a cancelled context stops the waiting at once.
func TestRetryHonoursCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) }))
	defer srv.Close()
	p := DefaultRetryPolicy
	p.BaseDelay, p.MaxDelay = time.Hour, time.Hour
	c := &http.Client{Transport: &retryTransport{base: http.DefaultTransport, policy: p}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	start := time.Now()
	_, err := c.Do(req)
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}
