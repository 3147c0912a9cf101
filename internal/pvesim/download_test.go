package pvesim

import (
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownloadURL(t *testing.T) {
	body := "ostype=debian\narch=amd64\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
	defer srv.Close()
	sum := sha512.Sum512([]byte(body))
	good := hex.EncodeToString(sum[:])
	s := startTestSim(t)
	dl := func(auth string, kv map[string]string) apiResp {
		p := map[string]string{"content": "vztmpl", "filename": "debian-12-custom_1.0_amd64.tar.zst", "url": srv.URL + "/t.tar.zst",
			"checksum-algorithm": "sha512", "checksum": good}
		for k, v := range kv {
			p[k] = v
		}
		if auth == "" {
			return call(t, s, "POST", "/nodes/pve1/storage/local/download-url", p)
		}
		return callAuth(t, s, "POST", "/nodes/pve1/storage/local/download-url", p, auth, nil)
	}
	dest := filepath.Join(s.DataDir(), "var/lib/vz/template/cache/debian-12-custom_1.0_amd64.tar.zst")

	r := dl("", map[string]string{"checksum": strings.Repeat("0", 128)})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Reason)
	}
	if st := waitTask(t, s, r.Data.(string)); st != "checksum mismatch: got '"+good+"' != expect '"+strings.Repeat("0", 128)+"'" {
		t.Fatalf("wrong checksum: %q", st)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("a file failing its checksum must not be kept: %v", err)
	}
	if r := dl("", map[string]string{"filename": "x.iso"}); r.Status != 400 || r.Errors["filename"] != "wrong file extension" {
		t.Fatalf("extension: %d %v", r.Status, r.Errors)
	}
	r = dl("", nil)
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatal(st)
	}
	if b, err := os.ReadFile(dest); err != nil || string(b) != body {
		t.Fatalf("downloaded: %q %v", b, err)
	}
	// the same file again: checksum of the existing file, no download
	if st := waitTask(t, s, dl("", nil).Data.(string)); st != "OK" {
		t.Fatal(st)
	}
	// permissions: Datastore.AllocateTemplate on the storage and Sys.AccessNetwork on the node (or Sys.Audit+Sys.Modify on /)
	if err := s.AddUserConfig("user:dl@pve:1:0::::::\nrole:T:Datastore.AllocateTemplate:\nacl:1:/storage:dl@pve:T:\n"); err != nil {
		t.Fatal(err)
	}
	sec, err := s.AddToken("dl@pve!tf", false)
	if err != nil {
		t.Fatal(err)
	}
	auth := "PVEAPIToken=dl@pve!tf=" + sec
	if r := dl(auth, map[string]string{"filename": "b.tar.zst"}); r.Status != 403 || r.Reason != "Permission check failed" {
		t.Fatalf("without network access: %d %q", r.Status, r.Reason)
	}
	if err := s.AddUserConfig("role:N:Sys.AccessNetwork:\nacl:1:/nodes/pve1:dl@pve:N:\n"); err != nil {
		t.Fatal(err)
	}
	if r := dl(auth, map[string]string{"filename": "b.tar.zst"}); r.Status != 200 {
		t.Fatalf("with Sys.AccessNetwork: %d %q", r.Status, r.Reason)
	}
	// deleting needs Datastore.Allocate
	r = callAuth(t, s, "DELETE", "/nodes/pve1/storage/local/content/"+url.PathEscape("local:vztmpl/debian-12-custom_1.0_amd64.tar.zst"), nil, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/storage/local, Datastore.Allocate)" {
		t.Fatalf("delete without Datastore.Allocate: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "DELETE", "/nodes/pve1/storage/local/content/"+url.PathEscape("local:vztmpl/debian-12-custom_1.0_amd64.tar.zst"), nil)
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatal(st)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("deleted: %v", err)
	}
}
