// Command terraform-provider-hardened is the `hardened` Terraform provider:
// hardened Proxmox VE LXC containers.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/hardened-pve/terraform-provider-hardened/internal/provider"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// Generate the documentation in docs/ (see GNUmakefile's docs target).
//go:generate go run -C tools github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name hardened

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()

	quietUnreadLogs()
	stopProfile := startProfile()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/hardened-pve/hardened",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	stopProfile()
	writeRunStats()
	if err != nil {
		log.Fatal(err.Error())
	}
}
