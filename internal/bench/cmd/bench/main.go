// Command bench is `make bench`: the provider on fleets of N containers
// against the simulator (see package bench).
//
//	go run ./internal/bench/cmd/bench -provider-dir bin -sizes 10,100,500 -realistic 100
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/bench"
)

func main() {
	providerDir := flag.String("provider-dir", "bin", "directory holding terraform-provider-hardened")
	sizes := flag.String("sizes", "10,100,500", "fleet sizes")
	realistic := flag.Int("realistic", 100, "fleet size of the realistic-timing apply (0: none)")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	work := flag.String("work", "", "work directory (default: a temporary one, removed)")
	breakdown := flag.Bool("breakdown", false, "also print each phase's API calls by endpoint")
	flag.Parse()

	o := bench.Options{Parallelism: *parallelism, RealisticN: *realistic, Logf: log.Printf}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("bench: bad size %q", s)
		}
		o.Sizes = append(o.Sizes, n)
	}
	var err error
	if o.ProviderDir, err = filepath.Abs(*providerDir); err != nil {
		log.Fatal(err)
	}
	if o.Terraform = os.Getenv("TF_ACC_TERRAFORM_PATH"); o.Terraform == "" {
		if o.Terraform, err = exec.LookPath("terraform"); err != nil {
			log.Fatal("bench: terraform not found on PATH (or set TF_ACC_TERRAFORM_PATH)")
		}
	}
	o.WorkDir = *work
	if o.WorkDir == "" {
		if o.WorkDir, err = os.MkdirTemp("", "hardened-bench-"); err != nil {
			log.Fatal(err)
		}
		defer func() { _ = os.RemoveAll(o.WorkDir) }()
	}
	res, err := bench.Run(context.Background(), o)
	fmt.Printf("\nmachine: %d CPUs (%s), %s/%s, load average %s\n\n", runtime.NumCPU(), bench.CPUModel(), runtime.GOOS, runtime.GOARCH, bench.LoadAvg())
	if res != nil {
		res.Markdown(os.Stdout)
		if *breakdown {
			res.Breakdown(os.Stdout)
		}
	}
	if err != nil {
		log.Printf("bench: %v", err)
		os.Exit(1) //nolint:gocritic // the work directory is left for inspection on failure
	}
}
