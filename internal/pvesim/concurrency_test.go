package pvesim

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestParallelCreatesViaNextID: 100 clients race for VMIDs through /cluster/nextid
// and retry on "already exists"; every one ends up with its own CT.
func TestParallelCreatesViaNextID(t *testing.T) {
	s := startTestSim(t, "pve1", "pve2")
	const n = 100
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			node := []string{"pve1", "pve2"}[i%2]
			for attempt := 0; attempt < 200; attempt++ {
				r := call(t, s, "GET", "/cluster/nextid", nil)
				id := r.Data.(string)
				r = call(t, s, "POST", "/nodes/"+node+"/lxc", map[string]string{"vmid": id, "rootfs": "local-lvm:1",
					"ostemplate": "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"})
				if r.Status == 500 && strings.Contains(r.Reason, "already exists") {
					continue
				}
				if r.Status != 200 {
					errs <- fmt.Errorf("create %s: %d %s", id, r.Status, r.Reason)
					return
				}
				if st := waitTask(t, s, r.Data.(string)); st != "OK" {
					errs <- fmt.Errorf("task %s: %s", id, st)
					return
				}
				ids[i] = id
				return
			}
			errs <- fmt.Errorf("client %d: no VMID after 200 attempts", i)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("duplicate or missing VMID %q in %v", id, ids)
		}
		seen[id] = true
	}
	if got := len(s.vmlist()); got != n {
		t.Fatalf("%d CTs in the cluster, want %d", got, n)
	}
	// and parallel readers/writers on the same CT stay consistent
	base := "/nodes/" + s.vmlist()[100].Node + "/lxc/100/config"
	var wg2 sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			if i%2 == 0 {
				call(t, s, "PUT", base, map[string]string{"memory": fmt.Sprint(256 + i)})
			} else if r := call(t, s, "GET", base, nil); r.Status != 200 {
				t.Errorf("GET during writes: %d %s", r.Status, r.Reason)
			}
		}(i)
	}
	wg2.Wait()
}
