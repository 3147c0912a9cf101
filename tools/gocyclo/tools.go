//go:build tools

// Package gocyclo pins gocyclo (make lint, CI: no function over cyclomatic
// complexity 25) in its own module.
package gocyclo

import (
	_ "github.com/fzipp/gocyclo/cmd/gocyclo"
)
