package main

import (
	"encoding/json"
	"os"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// statsEnv names a file to which the provider appends one JSON line when it
// exits: its CPU time, peak RSS and node-channel operations (what `make
// bench` reads; Terraform starts one provider process per plan or apply).
const statsEnv = "HARDENED_PROVIDER_STATS"

type runStats struct {
	PID       int     `json:"pid"`
	CPUSecs   float64 `json:"cpu_s"`
	MaxRSSKiB int64   `json:"max_rss_kib"`
	NodeOps   int64   `json:"node_ops"`
}

func writeRunStats() {
	path := os.Getenv(statsEnv)
	if path == "" {
		return
	}
	st := runStats{PID: os.Getpid(), NodeOps: providerdata.NodeOps()}
	st.CPUSecs, st.MaxRSSKiB = selfUsage()
	b, err := json.Marshal(st)
	if err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	_, _ = f.Write(append(b, '\n'))
	_ = f.Close()
}
