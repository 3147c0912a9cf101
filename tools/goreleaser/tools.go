//go:build tools

// Package goreleaser pins goreleaser (make release-check, make release-snapshot,
// CI) in its own module: its dependencies (cloud SDKs, signing, container
// tooling) would otherwise move the versions of the other tools.
package goreleaser

import (
	_ "github.com/goreleaser/goreleaser/v2"
)
