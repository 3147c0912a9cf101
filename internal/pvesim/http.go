package pvesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

const apiPrefix = "/api2/json"

// reqCtx is what a handler sees: validated parameters (PVE's canonical text
// form) and the authenticated user.
type reqCtx struct {
	r       *http.Request
	params  map[string]string
	user    string // "root@pam" or, for tokens, the token id "user@realm!name"
	isToken bool
	acl     *userCfg // user.cfg as of this request
}

// check is RPCEnvironment::check for the request's user.
func (rc *reqCtx) check(path string, privs ...string) error {
	return rc.userCfg().check(rc.user, path, privs...)
}

// checkAny is RPCEnvironment::check_any for the request's user.
func (rc *reqCtx) checkAny(path string, privs ...string) error {
	return rc.userCfg().checkAny(rc.user, path, privs...)
}

// can is a check with noerr.
func (rc *reqCtx) can(path string, privs ...string) bool { return rc.check(path, privs...) == nil }

func (rc *reqCtx) userCfg() *userCfg {
	if rc.acl == nil {
		// a handler called without the HTTP layer (tests): root only
		rc.acl = parseUserCfg("", func(string, ...any) {})
	}
	return rc.acl
}

func rawParams(in map[string]any) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func (rc *reqCtx) has(k string) bool   { _, ok := rc.params[k]; return ok }
func (rc *reqCtx) str(k string) string { return rc.params[k] }
func (rc *reqCtx) flag(k string) bool  { return rc.params[k] == "1" }
func (rc *reqCtx) intParam(k string, def int) int {
	v, ok := rc.params[k]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// isRoot is PVE's `$authuser eq 'root@pam'`: a root@pam API token is not root.
func (rc *reqCtx) isRoot() bool { return rc.user == "root@pam" }

// listWithTotal is a list answer that also carries PVE's top-level "total".
type listWithTotal struct {
	data  any
	total int
}

func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.tasks.enter()
	defer s.tasks.leave()
	rawPath := r.URL.EscapedPath()
	if strings.HasPrefix(rawPath, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	rel, ok := strings.CutPrefix(rawPath, apiPrefix)
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		s.writeError(w, r, &apiError{status: 501, msg: "no such uri\n"})
		return
	}
	if rel == "" {
		rel = "/"
	}
	decodedRel, _ := url.PathUnescape(rel)

	resetAfter, fstatus, fmsg, handled := s.requestFault(w, r, decodedRel)
	if handled {
		return
	}

	rt, pathParams := s.routes.match(r.Method, rel)
	statKey := r.Method + " " + decodedRel
	if rt != nil {
		statKey = r.Method + " " + rt.template
	}
	s.stats.add(statKey)

	if fstatus != 0 {
		if fmsg == "" {
			fmsg = http.StatusText(fstatus)
		}
		s.writeError(w, r, &apiError{status: fstatus, msg: fmsg + "\n"})
		return
	}

	rc := &reqCtx{r: r}
	if !(decodedRel == "/access/ticket" && (r.Method == http.MethodGet || r.Method == http.MethodPost)) {
		user, isToken, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rc.user, rc.isToken = user, isToken
	}
	if rt == nil {
		s.writeError(w, r, &apiError{status: 501, msg: fmt.Sprintf("Method '%s %s' not implemented\n", r.Method, decodedRel)})
		return
	}

	if perr := s.requestParams(rc, rt, pathParams); perr != nil {
		s.writeError(w, r, perr)
		return
	}

	data, err := rt.handler(rc)
	if resetAfter {
		s.stats.add("FAULT reset after")
		resetConn(w)
		return
	}
	if err != nil {
		s.writeError(w, r, asAPIError(err))
		return
	}
	body := map[string]any{"data": data}
	if lt, ok := data.(listWithTotal); ok {
		body = map[string]any{"data": lt.data, "total": lt.total}
	}
	writeJSON(w, http.StatusOK, body)
}

// requestFault applies the injected fault of the request: a latency, a
// connection reset (handled: the request is answered), or a reset after the
// handler ran and an error status, for the caller.
func (s *Sim) requestFault(w http.ResponseWriter, r *http.Request, decodedRel string) (resetAfter bool, fstatus int, fmsg string, handled bool) {
	latency, reset, resetAfter, fstatus, fmsg := s.faults.requestFault(r.Method, decodedRel)
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return false, 0, "", true
		}
	}
	if reset {
		s.stats.add("FAULT reset")
		resetConn(w)
		return false, 0, "", true
	}
	return resetAfter, fstatus, fmsg, false
}

// requestParams sets rc.params: the query and body parameters with the
// path's, checked against the route's schema (and token permission) and
// the node, like pve-http-server before it calls the handler.
func (s *Sim) requestParams(rc *reqCtx, rt *route, pathParams map[string]string) *apiError {
	in, perr := readParams(rc.r)
	if perr != nil {
		return perr
	}
	for k, v := range pathParams {
		if prev, dup := in[k]; dup && fmt.Sprint(prev) != v {
			return paramErr(map[string]string{k: "duplicate parameter (already defined in URI)"})
		}
		in[k] = v
	}
	if rt.schema != nil {
		if rc.isToken && !rt.schema.AllowToken {
			return permErr("API tokens are not allowed for this endpoint")
		}
		// check_api2_permissions runs before parameter verification, on
		// the raw parameters (pve-http-server's rest_handler)
		rc.acl = s.userConfig()
		if err := rc.acl.checkAPI2(rt.schema.Permissions, rc.user, rawParams(in)); err != nil {
			return asAPIError(err)
		}
		params, errs := rt.schema.Validate(in)
		if len(errs) > 0 {
			return paramErr(errs)
		}
		rc.params = params
	} else {
		rc.params = map[string]string{}
		for k, v := range in {
			rc.params[k] = fmt.Sprint(v)
		}
	}
	if node, ok := rc.params["node"]; ok && !s.isNode(node) {
		return dief("no such cluster node '%s'", node)
	}
	return nil
}

// readParams merges query-string and body parameters like pve-http-server's
// extract_params. JSON bodies keep their JSON types; form values are strings.
func readParams(r *http.Request) (map[string]any, *apiError) {
	in := map[string]any{}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &apiError{status: 400, msg: "unable to parse query string\n"}
	}
	for k, v := range q {
		in[k] = v[0]
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return in, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return nil, &apiError{status: 400, msg: "unable to read request body\n"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, &apiError{status: 400, msg: "malformed JSON string\n"}
		}
		for k, v := range m {
			if n, ok := v.(json.Number); ok {
				f, _ := n.Float64()
				v = f
			}
			if v == nil {
				continue
			}
			in[k] = v
		}
	default:
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &apiError{status: 400, msg: "unable to parse request body\n"}
		}
		for k, v := range f {
			in[k] = v[0]
		}
	}
	return in, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "max-age=0")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Server", "pve-api-daemon/3.0")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeError answers like pve-http-server: the first line of the message is the
// HTTP reason phrase, the JSON body carries data:null, the message and any
// parameter errors, and the connection is closed (keep_alive = 0 for >= 400).
// 401 answers are delayed like pveproxy does.
func (s *Sim) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.status == http.StatusUnauthorized && s.unauthorizedDelay > 0 {
		select {
		case <-time.After(s.unauthorizedDelay):
		case <-r.Context().Done():
		}
	}
	reason := reasonPhrase(e.msg)
	var body []byte
	if e.status != http.StatusUnauthorized {
		m := map[string]any{"data": nil, "message": e.msg}
		if len(e.errors) > 0 {
			m["errors"] = e.errors
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(m)
		body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	hj, ok := w.(http.Hijacker)
	if !ok || r.ProtoMajor != 1 {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("Connection", "close")
		w.WriteHeader(e.status)
		_, _ = w.Write(body)
		return
	}
	conn, bufrw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", e.status, reason)
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(http.TimeFormat))
	b.WriteString("Server: pve-api-daemon/3.0\r\nConnection: close\r\nCache-Control: max-age=0\r\nPragma: no-cache\r\n")
	if len(body) > 0 {
		b.WriteString("Content-Type: application/json;charset=UTF-8\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	_, _ = bufrw.WriteString(b.String())
	_, _ = bufrw.Write(body)
	_ = bufrw.Flush()
}

// resetConn closes the client connection without an answer (TCP RST when possible).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// route is one implemented API method.
type route struct {
	method   string
	template string
	segs     []string
	schema   *apischema.Method
	handler  func(*reqCtx) (any, error)
}

type router struct{ routes []*route }

func (rt *router) add(method, template string, h func(*reqCtx) (any, error)) {
	m := apischema.Embedded().Method(method, template)
	if m == nil && !strings.HasPrefix(template, "/_") {
		panic("pvesim: no schema for " + method + " " + template)
	}
	rt.routes = append(rt.routes, &route{method: method, template: template, segs: splitPath(template), schema: m, handler: h})
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for a raw (escaped) path; path parameters are unescaped
// per segment so that "{cidr}" may carry an encoded "/".
func (rt *router) match(method, rawRel string) (*route, map[string]string) {
	all := splitPath(rawRel)
	for _, r := range rt.routes {
		segs := all
		// a trailing {cidr} may carry a raw "/" (PVE accepts
		// .../ipset/x/10.0.0.0/24, which is what go-proxmox sends)
		if n := len(r.segs); n > 0 && r.segs[n-1] == "{cidr}" && len(all) == n+1 {
			segs = append(append([]string(nil), all[:n-1]...), all[n-1]+"/"+all[n])
		}
		if r.method != method || len(r.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, ts := range r.segs {
			seg, err := url.PathUnescape(segs[i])
			if err != nil {
				ok = false
				break
			}
			if strings.HasPrefix(ts, "{") {
				if seg == "" {
					ok = false
					break
				}
				params[strings.Trim(ts, "{}")] = seg
				continue
			}
			if ts != seg {
				ok = false
				break
			}
		}
		if ok {
			return r, params
		}
	}
	return nil, nil
}
