package pve

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// PermissionError is PVE's 403: the API refused the call for lack of a
// privilege. Reason is PVE's own text, e.g. "Permission check failed
// (/vms/100, VM.Config.Disk)": the ACL path and the privilege missing.
type PermissionError struct {
	Method, Path, Reason string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("PVE refused %s %s: %s (HTTP 403): the API token or user lacks this privilege on this path; "+
		"grant it (see the provider's least-privilege role in the real-cluster guide)", e.Method, e.Path, e.Reason)
}

// permissionTransport turns a 403 into a PermissionError carrying PVE's
// reason (which pve-http-server puts in the status line): go-proxmox would
// report any 403 as a bare ErrNotAuthorized (and, with a password, log in
// again and retry first).
type permissionTransport struct{ base http.RoundTripper }

func (t *permissionTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil || res.StatusCode != http.StatusForbidden || strings.HasSuffix(req.URL.Path, "/access/ticket") {
		return res, err
	}
	_ = res.Body.Close()
	reason := strings.TrimSpace(strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode)))
	if reason == "" || reason == http.StatusText(http.StatusForbidden) {
		reason = "Permission check failed"
	}
	path := req.URL.Path
	if i := strings.Index(path, "/api2/json"); i >= 0 {
		path = path[i+len("/api2/json"):]
	}
	return nil, &PermissionError{Method: req.Method, Path: path, Reason: reason}
}

// AsPermission returns the PermissionError in err, if any.
func AsPermission(err error) (*PermissionError, bool) {
	var pe *PermissionError
	ok := errors.As(err, &pe)
	return pe, ok
}
