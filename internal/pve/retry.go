package pve

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy is how the client retries what is safe to retry:
//
//   - every method: a 500 whose message says PVE could not take a lock
//     ("can't lock file ... got timeout", "is locked (...)", cfs-lock
//     timeouts): PVE failed before it changed anything;
//   - every method: a connection refused (the request never reached PVE);
//   - GET only (idempotent): any other connection error (reset, EOF) and
//     500, 502, 503, 504 answers, unless the message says what is missing
//     ("does not exist", "no such"), which is an answer, not a fault.
//
// Never retried: 4xx (validation, permissions), a POST/PUT/DELETE whose
// connection broke after it was sent (PVE may have acted: the caller
// decides, e.g. the create's unfinished-container recovery), and
// cancellation. Delays grow exponentially with full jitter.
type RetryPolicy struct {
	Attempts  int           // including the first; default 5
	BaseDelay time.Duration // default 100 ms
	MaxDelay  time.Duration // default 2 s
	sleepFunc func(context.Context, time.Duration) error
	randFloat func() float64
}

// DefaultRetryPolicy: 5 attempts, delays drawn from [0, 100 ms), [0, 200 ms),
// [0, 400 ms), [0, 800 ms): at most ~1.5 s of waiting per request.
var DefaultRetryPolicy = RetryPolicy{Attempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second}

type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
}

func (p RetryPolicy) delay(attempt int) time.Duration {
	d := p.BaseDelay << attempt
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	r := rand.Float64 //nolint:gosec // backoff jitter is not security-sensitive
	if p.randFloat != nil {
		r = p.randFloat
	}
	return time.Duration(r() * float64(d))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lockMessage reports a PVE answer that says a lock could not be taken.
func lockMessage(status string) bool {
	for _, m := range []string{"got timeout", "can't lock file", "is locked (", "cfs-lock", "unable to acquire lock"} {
		if strings.Contains(status, m) {
			return true
		}
	}
	return false
}

// retryable decides whether to try again after one attempt.
func retryable(method string, res *http.Response, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		return method == http.MethodGet || errors.Is(err, syscall.ECONNREFUSED)
	}
	if res.StatusCode < 500 {
		return false
	}
	if lockMessage(res.Status) {
		return true
	}
	if method != http.MethodGet {
		return false
	}
	low := strings.ToLower(res.Status)
	return !strings.Contains(low, "does not exist") && !strings.Contains(low, "no such")
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p := t.policy
	sleep := sleepCtx
	if p.sleepFunc != nil {
		sleep = p.sleepFunc
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.Body != nil && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		res, err := t.base.RoundTrip(req)
		if attempt+1 >= p.Attempts || !retryable(req.Method, res, err) || (req.Body != nil && req.GetBody == nil) {
			return res, err
		}
		reason := ""
		if err != nil {
			reason = err.Error()
		} else {
			reason = res.Status
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}
		d := p.delay(attempt)
		logDebug(req.Context(), "retrying PVE API request", map[string]any{
			"method": req.Method, "path": req.URL.Path, "attempt": attempt + 1, "reason": reason, "delay_ms": d.Milliseconds()})
		if err := sleep(req.Context(), d); err != nil {
			return nil, err
		}
	}
}
