package pvesim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startTestSim starts a plain-HTTP simulator with fast tasks and no 401 delay.
func startTestSim(t testing.TB, nodes ...string) *Sim {
	t.Helper()
	ft := FastTiming()
	s, err := Start(Options{Nodes: nodes, PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// apiResp is a decoded answer.
type apiResp struct {
	Status int
	Reason string // the status line without the code
	Data   any
	Errors map[string]string
	Msg    string
	Total  *int
}

// call sends a form-encoded (or query) request with the root@pam!sim token.
func call(t testing.TB, s *Sim, method, path string, params map[string]string) apiResp {
	t.Helper()
	return callAuth(t, s, method, path, params, "PVEAPIToken="+s.Credentials().APIToken(), nil)
}

func callAuth(t testing.TB, s *Sim, method, path string, params map[string]string, authz string, mod func(*http.Request)) apiResp {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	u := s.Endpoint() + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if mod != nil {
		mod(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResp{Status: res.StatusCode, Reason: strings.TrimSpace(strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode)))}
	if len(raw) > 0 {
		var m struct {
			Data    any               `json:"data"`
			Errors  map[string]string `json:"errors"`
			Message string            `json:"message"`
			Total   *int              `json:"total"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", method, path, raw)
		}
		out.Data, out.Errors, out.Msg, out.Total = m.Data, m.Errors, m.Message, m.Total
	}
	return out
}

// waitTask polls a task until it stops and returns its exit status.
func waitTask(t testing.TB, s *Sim, upid string) string {
	t.Helper()
	node := strings.Split(upid, ":")[1]
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r := call(t, s, "GET", "/nodes/"+node+"/tasks/"+url.PathEscape(upid)+"/status", nil)
		if r.Status != 200 {
			t.Fatalf("task status: %d %s", r.Status, r.Reason)
		}
		m := r.Data.(map[string]any)
		if m["status"] == "stopped" {
			return m["exitstatus"].(string)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("task %s did not finish", upid)
	return ""
}

// createCT creates a CT and waits for the task; it fails the test unless the task ends OK.
func createCT(t testing.TB, s *Sim, node string, vmid string, extra map[string]string) {
	t.Helper()
	p := map[string]string{"vmid": vmid, "ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
		"rootfs": "local-lvm:8", "hostname": "ct" + vmid, "net0": "name=eth0,bridge=vmbr0,firewall=1,ip=10.0.0." + vmid[len(vmid)-1:] + "/24,gw=10.0.0.1"}
	for k, v := range extra {
		p[k] = v
	}
	r := call(t, s, "POST", "/nodes/"+node+"/lxc", p)
	if r.Status != 200 {
		t.Fatalf("create %s: %d %s %v", vmid, r.Status, r.Reason, r.Errors)
	}
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatalf("create %s task: %s", vmid, st)
	}
}

func readConfFile(t testing.TB, s *Sim, node, vmid string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.DataDir(), "etc/pve/nodes", node, "lxc", vmid+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeConfFile(t testing.TB, s *Sim, node, vmid, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.DataDir(), "etc/pve/nodes", node, "lxc", vmid+".conf"), []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}
