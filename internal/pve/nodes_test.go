package pve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestNodes: GET /nodes as PVE answers it (any order, offline nodes, a node
// without a status) is listed sorted by name; OnlineNodes keeps the online
// ones.
func TestNodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api2/json/nodes" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"node":"pve3","status":"offline","maxcpu":8},{"node":"pve2","status":"online"},` +
			`{"node":"pve4"},{"node":"pve1","status":"online","ssl_fingerprint":"AA:BB"}]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: srv.URL, APIToken: "root@pam!tf=secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	nodes, err := c.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{{"pve1", "online"}, {"pve2", "online"}, {"pve3", "offline"}, {"pve4", ""}}
	if !reflect.DeepEqual(nodes, want) {
		t.Fatalf("Nodes = %+v, want %+v", nodes, want)
	}
	online, err := c.OnlineNodes(ctx)
	if err != nil || !reflect.DeepEqual(online, []string{"pve1", "pve2"}) {
		t.Fatalf("OnlineNodes = %v, %v", online, err)
	}
}
