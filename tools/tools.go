//go:build tools

// Package tools pins the development tools of the provider in their own
// module, so that they never enter the provider's go.mod:
//
//	go run -modfile=tools/go.mod github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate
//	cd tools && go build -o ../bin/opa github.com/open-policy-agent/opa   (make opa)
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "github.com/open-policy-agent/opa"
)
