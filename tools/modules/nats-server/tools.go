//go:build tools

// Package tools pins the main package this wrapper builds, so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/nats-io/nats-server/v2"
