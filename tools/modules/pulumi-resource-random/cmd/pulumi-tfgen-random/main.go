// Command pulumi-tfgen-random generates the Pulumi schema (schema.json) and bridge-metadata.json of the
// random provider: `pulumi-tfgen-random schema --out DIR`. tools/build.mjs runs it before building
// cmd/pulumi-resource-random, which embeds both files.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"tenancy.local/tools/pulumi-resource-random/providerinfo"
)

func main() {
	tfgen.Main("random", providerinfo.Provider(nil))
}
