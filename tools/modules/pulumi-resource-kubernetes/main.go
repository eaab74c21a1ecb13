// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider.
//
// The upstream main package embeds schema-embed.json and terraform-mapping-embed.json, which its
// `go generate` step derives from schema.json and terraform-mapping.json; the published module ships only
// the latter. tools/build.mjs copies this folder to a build directory outside the clone, runs the
// module's own generate.go there (VERSION=<provider version>) and then builds this package, so the
// two *-embed.json files below exist only in that build directory.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
