// Command pvesim serves the Proxmox VE API simulator.
//
//	go run ./internal/pvesim/cmd/pvesim -listen 127.0.0.1:8006 -data DIR -nodes pve1,pve2
//
// It prints the endpoint and credentials (also written to DIR/pvesim.json) and
// runs until interrupted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8006", "address to listen on")
	data := flag.String("data", "", "data directory (state lives in DIR/etc/pve/...); default: a temporary directory")
	nodes := flag.String("nodes", "pve1", "comma-separated cluster node names")
	plain := flag.Bool("http", false, "serve plain HTTP instead of HTTPS")
	fast := flag.Bool("fast", false, "fast tasks (a few ms) instead of the default durations")
	realistic := flag.Bool("realistic", false, "task durations of a real PVE node (seconds: pvesim.RealisticTiming)")
	seed := flag.Int64("seed", 1, "seed for fault injection and generated MAC addresses")
	password := flag.String("password", "", "root@pam password (default: random)")
	secret := flag.String("token-secret", "", "secret of the root@pam!sim API token (default: random)")
	noDelay := flag.Bool("no-auth-delay", false, "answer 401 at once instead of after 3 s like pveproxy")
	verbose := flag.Bool("v", false, "log PVE-style warnings")
	lxc := flag.Bool("lxc", false, "run containers with real LXC on this machine (root, lxc, busybox-static; see README.md)")
	lxcPath := flag.String("lxc-path", "", "with -lxc: the LXC path the containers live in (default: a temporary directory)")
	lxcSSH := flag.Bool("lxc-openssh", false, "with -lxc: containers whose template ships OpenSSH (Debian, Ubuntu) run this host's real sshd (openssh-server)")
	var lxcFiles fileFlags
	flag.Var(&lxcFiles, "lxc-file", "with -lxc: PATH_IN_CT=HOST_FILE copied into every container's root file system (repeatable)")
	cgroup := flag.String("cgroup", "unified", "the cgroup layout the nodes report in /proc/self/mountinfo: unified, hybrid or legacy")
	flag.Parse()

	opts := pvesim.Options{Listen: *listen, DataDir: *data, Nodes: strings.Split(*nodes, ","), PlainHTTP: *plain,
		Seed: *seed, Password: *password, TokenSecret: *secret}
	switch {
	case *fast && *realistic:
		log.Fatal("pvesim: -fast and -realistic exclude each other")
	case *fast:
		t := pvesim.FastTiming()
		opts.Timing = &t
	case *realistic:
		t := pvesim.RealisticTiming()
		opts.Timing = &t
	}
	if *noDelay {
		opts.UnauthorizedDelay = -1
	}
	if *verbose {
		opts.Logf = log.Printf
	}
	if *lxc {
		opts.LXC = &pvesim.LXCOptions{Path: *lxcPath, Files: lxcFiles.m, OpenSSH: *lxcSSH}
	}
	opts.CgroupLayout = *cgroup
	start := time.Now()
	sim, err := pvesim.Start(opts)
	if err != nil {
		log.Fatalf("pvesim: %v", err)
	}
	c := sim.Credentials()
	info := map[string]any{
		"endpoint": sim.Endpoint(), "url": sim.URL(), "nodes": sim.Nodes(), "datadir": sim.DataDir(),
		"username": c.Username, "password": c.Password, "token_id": c.TokenID, "token_secret": c.TokenSecret,
		"api_token": c.APIToken(), "fingerprint": sim.CertFingerprint(),
	}
	if b := sim.LXC(); b != nil {
		info["lxc_path"] = b.Path()
	}
	if sim.CertPEM() != nil {
		info["ca_file"] = filepath.Join(sim.DataDir(), pvesim.CertFile)
	}
	b, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(sim.DataDir(), "pvesim.json"), append(b, '\n'), 0o600); err != nil {
		log.Printf("pvesim: writing pvesim.json: %v", err)
	}
	fmt.Printf("pvesim: PVE %s simulator ready in %s\n", pvesim.PVEVersion, time.Since(start).Round(time.Millisecond))
	fmt.Printf("endpoint:    %s\n", sim.Endpoint())
	fmt.Printf("nodes:       %s\n", strings.Join(sim.Nodes(), ","))
	fmt.Printf("data dir:    %s\n", sim.DataDir())
	fmt.Printf("api token:   PVEAPIToken=%s\n", c.APIToken())
	fmt.Printf("user:        %s password %s\n", c.Username, c.Password)
	if fp := sim.CertFingerprint(); fp != "" {
		fmt.Printf("certificate: %s (sha256 %s)\n", info["ca_file"], fp)
	}
	if b := sim.LXC(); b != nil {
		fmt.Printf("lxc path:    %s (real LXC; cgroup v1 keys: %v)\n", b.Path(), b.Hybrid())
	}
	fmt.Printf("control:     %s/_sim/faults  %s/_sim/stats\n", sim.URL(), sim.URL())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := sim.Stop(); err != nil {
		log.Printf("pvesim: stop: %v", err)
	}
}

// fileFlags collects -lxc-file PATH_IN_CT=HOST_FILE.
type fileFlags struct{ m map[string]string }

func (f *fileFlags) String() string { return fmt.Sprint(f.m) }

func (f *fileFlags) Set(v string) error {
	in, host, ok := strings.Cut(v, "=")
	if !ok || in == "" || host == "" {
		return fmt.Errorf("want PATH_IN_CT=HOST_FILE, got %q", v)
	}
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[in] = host
	return nil
}
