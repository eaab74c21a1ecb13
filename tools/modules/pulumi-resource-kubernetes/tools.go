//go:build tools

// Package tools keeps the dependencies of the provider's generate.go (run by tools/build.mjs) in go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
