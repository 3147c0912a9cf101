package pvesim

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkConfigGet measures GET .../config throughput over HTTP (keep-alive,
// parallel clients), so we know the simulator is never a provider benchmark's bottleneck.
func BenchmarkConfigGet(b *testing.B) {
	s := startTestSim(b)
	createCT(b, s, "pve1", "100", map[string]string{"cpulimit": "1", "memory": "512"})
	url := s.Endpoint() + "/nodes/pve1/lxc/100/config"
	authz := "PVEAPIToken=" + s.Credentials().APIToken()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", authz)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
