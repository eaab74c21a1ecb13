// Package providerinfo maps the Terraform random provider to the Pulumi `random` package, the way the
// @pulumi/random npm SDK expects it: every resource in module `index` as random:index/random<Name>:Random<Name>
// (random_bytes -> random:index/randomBytes:RandomBytes), properties camel-cased by the bridge.
//
// It is written for this repo: the pulumi-random provider module is not served by the Go module proxy this
// project can reach, so tools/build.mjs builds the provider from the Terraform provider, this mapping and
// pulumi-terraform-bridge, and generates the schema with the bridge's tfgen (cmd/pulumi-tfgen-random).
package providerinfo

import (
	"context"
	"errors"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is the provider version (without a leading v); tools/build.mjs sets it with -ldflags -X.
var Version = "0.0.0-dev"

// Provider returns the bridge's description of the provider. metadata is the bridge-metadata.json that tfgen
// wrote (empty when tfgen itself runs).
func Provider(metadata []byte) tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:            pf.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Description:  "A Pulumi package to safely use randomness in Pulumi programs.",
		Keywords:     []string{"pulumi", "random"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-random",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			// RandomBytes has no natural id; its id is its base64 value.
			"random_bytes": {ComputeID: idFromBase64},
			// Old RandomString states may lack their schema version; treat them as version 1.
			"random_string": {PreStateUpgradeHook: func(args tfbridge.PreStateUpgradeHookArgs) (int64, resource.PropertyMap, error) {
				if args.PriorStateSchemaVersion == 0 {
					return 1, args.PriorState, nil
				}
				return args.PriorStateSchemaVersion, args.PriorState, nil
			}},
		},
		JavaScript:                  &tfbridge.JavaScriptInfo{RespectSchemaVersion: true},
		EnableAccurateBridgePreview: true,
		EnableRawStateDelta:         true,
	}
	prov.MustComputeTokens(tokens.SingleModule("random_", "index", func(module, name string) (string, error) {
		return tokens.MakeStandard("random")(module, "Random"+name)
	}))
	prov.MustApplyAutoAliases()
	return prov
}

func idFromBase64(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	v, ok := state["base64"]
	if !ok {
		return "", errors.New("random_bytes state has no base64 property")
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return "", errors.New("random_bytes base64 property is not a string")
	}
	return resource.ID(v.StringValue()), nil
}
