//go:build tools

// Package golangci pins golangci-lint (make lint, CI) in its own module: its
// many dependencies would otherwise move the versions of the other tools.
package golangci

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
