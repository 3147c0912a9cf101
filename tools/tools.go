//go:build tools

// Package tools pins the development tools of the provider in their own
// module, so that they never enter the provider's go.mod:
//
//	go run -modfile=tools/go.mod github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate
//	make opa   (builds bin/opa from here; golangci-lint, goreleaser and OpenTofu have modules of their own below)
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "github.com/open-policy-agent/opa"
)
