//go:build tools

// Package tofu pins the OpenTofu CLI that CI runs the acceptance tests with
// (make tofu, make test-tofu). OpenTofu's go.mod replaces hashicorp/hcl/v2 with
// its fork, and `go install module@version` refuses a module with a replace
// directive, so this module requires OpenTofu and repeats that replace
// (go.mod); `make tofu` builds bin/tofu from here.
package tofu

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
