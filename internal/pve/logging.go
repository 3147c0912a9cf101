package pve

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LogSubsystem is the tflog subsystem of the PVE API client's logs
// (TF_LOG_PROVIDER=DEBUG shows them, tagged @module=hardened.pve).
const LogSubsystem = "pve"

// logTransport logs every HTTP request to the PVE API at DEBUG: method,
// path, status and duration. Never a header (the API token, the ticket
// cookie, the CSRF token), the query string or a body (the password of
// /access/ticket, a container's root password): only what names the call.
type logTransport struct {
	base http.RoundTripper
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.base.RoundTrip(req)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = transportError(err)
	} else {
		fields["status"] = res.StatusCode
	}
	logDebug(req.Context(), "PVE API request", fields)
	return res, err
}

// transportError is err without the request's URL (a *url.Error repeats
// it, query string included).
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// logDebug logs at DEBUG under the pve subsystem of ctx's provider logger.
func logDebug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	tflog.SubsystemDebug(ctx, LogSubsystem, msg, fields)
}
