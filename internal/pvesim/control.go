package pvesim

import (
	"encoding/json"
	"io"
	"net/http"
)

// serveControl answers the simulator's own control endpoints outside /api2:
//
//	GET    /_sim/faults         list fault rules
//	POST   /_sim/faults         add a rule (JSON FaultRule) -> {"id": "..."}
//	DELETE /_sim/faults         remove all rules
//	POST   /_sim/faults/seed    {"seed": N} reseeds the fault random source
//	GET    /_sim/stats          request counts per "METHOD /path/{template}"
//	DELETE /_sim/stats          reset the counters
//	GET    /_sim/info           endpoint, nodes, data dir, token id (no secrets)
//
// They listen on the same (loopback) socket and need no authentication.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_sim/faults":
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, map[string]any{"data": s.faults.List()})
		case http.MethodPost:
			var fr FaultRule
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err := json.Unmarshal(body, &fr); err != nil {
				writeJSON(w, 400, map[string]any{"error": err.Error()})
				return
			}
			id, err := s.faults.Add(fr)
			if err != nil {
				writeJSON(w, 400, map[string]any{"error": err.Error()})
				return
			}
			writeJSON(w, 200, map[string]any{"data": map[string]string{"id": id}})
		case http.MethodDelete:
			s.faults.Clear()
			writeJSON(w, 200, map[string]any{"data": nil})
		default:
			writeJSON(w, 405, map[string]any{"error": "method not allowed"})
		}
	case "/_sim/faults/seed":
		var v struct {
			Seed int64 `json:"seed"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&v) != nil {
			writeJSON(w, 400, map[string]any{"error": `POST {"seed": N}`})
			return
		}
		s.faults.Seed(v.Seed)
		writeJSON(w, 200, map[string]any{"data": nil})
	case "/_sim/stats":
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, map[string]any{"data": s.stats.Snapshot()})
		case http.MethodDelete:
			s.stats.Reset()
			writeJSON(w, 200, map[string]any{"data": nil})
		default:
			writeJSON(w, 405, map[string]any{"error": "method not allowed"})
		}
	case "/_sim/info":
		writeJSON(w, 200, map[string]any{"data": map[string]any{
			"endpoint": s.Endpoint(), "nodes": s.nodes, "datadir": s.dataDir, "tokenid": s.creds.TokenID,
			"username": s.creds.Username, "fingerprint": s.certFP,
		}})
	default:
		writeJSON(w, 404, map[string]any{"error": "no such control endpoint"})
	}
}
