//go:build tools

// Package tools pins the development tools of the provider in their own
// module, so that they never enter the provider's go.mod:
//
//	go run -modfile=tools/go.mod github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
