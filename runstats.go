package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// statsEnv names a file to which the provider appends one JSON line when it
// exits: its CPU time, peak RSS and node-channel operations (what `make
// bench` reads; Terraform starts one provider process per plan or apply).
const statsEnv = "HARDENED_PROVIDER_STATS"

// profileEnv names a directory where the provider writes a CPU profile of
// its whole run (cpu-<pid>.pprof), for `go tool pprof`.
const profileEnv = "HARDENED_PROVIDER_CPUPROFILE"

// startProfile starts the CPU profile profileEnv asks for; the returned
// func stops it.
func startProfile() func() {
	dir := os.Getenv(profileEnv)
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s/cpu-%d.pprof", dir, os.Getpid())) //nolint:gosec // G703: the operator names the directory
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }
}

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
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // G703: the operator names the file
	if err != nil {
		return
	}
	_, _ = f.Write(append(b, '\n'))
	_ = f.Close()
}

// quietUnreadLogs turns the SDKs' logging off when Terraform reads none of
// it: terraform-plugin-go and the framework log at TRACE unless told
// otherwise (Terraform filters on its side), and formatting those lines is a
// tenth of a refresh's CPU. Only when no TF_LOG* variable is set, so any
// request for logs (TF_LOG, TF_LOG_PROVIDER, TF_LOG_SDK_*) gets them all.
func quietUnreadLogs() {
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_LOG") && v != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(k, "off")
	}
}
