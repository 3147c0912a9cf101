package pvesim

import (
	"fmt"
	"strings"
)

// apiError is an error answered the way pve-http-server answers it: the status,
// the message (whose first line becomes the HTTP reason phrase) and, for
// parameter errors, the per-parameter `errors` map.
type apiError struct {
	status int
	msg    string
	errors map[string]string
}

func (e *apiError) Error() string { return strings.TrimSuffix(e.msg, "\n") }

// dief is PVE's `die "msg\n"`: HTTP 500 with the message in the status line.
func dief(format string, a ...any) *apiError {
	return &apiError{status: 500, msg: fmt.Sprintf(format, a...) + "\n"}
}

// paramErr is PVE's raise_param_exc: HTTP 400 "Parameter verification failed.".
func paramErr(errs map[string]string) *apiError {
	return &apiError{status: 400, msg: "Parameter verification failed.\n", errors: errs}
}

// permErr is PVE's raise_perm_exc: HTTP 403.
func permErr(what string) *apiError {
	msg := "Permission check failed"
	if what != "" {
		msg += " (" + what + ")"
	}
	return &apiError{status: 403, msg: msg + "\n"}
}

// asAPIError turns any error into an apiError (plain errors are PVE dies: 500).
func asAPIError(err error) *apiError {
	if ae, ok := err.(*apiError); ok { //nolint:errorlint // an apiError wrapped in a message is a plain die (500) with that message, as in PVE
		return ae
	}
	return &apiError{status: 500, msg: strings.TrimSuffix(err.Error(), "\n") + "\n"}
}

// reasonPhrase is the first line of a message, as pve-http-server puts it in the status line.
func reasonPhrase(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimRight(line, "\r")
}
