import * as pulumi from "@pulumi/pulumi";

/** A resource as the mock engine saw it: its registration plus the options the SDK resolved. */
export interface MockedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    parentName?: string;
    protect: boolean;
    dependsOn: string[];
    provider?: string;
}

/**
 * Installs Pulumi mocks that record every registration, and a stack transformation that records
 * each resource's options (mocks alone do not see parent or protect). Call before importing any
 * code that declares resources.
 */
export function installRecordingMocks(): MockedResource[] {
    const resources: MockedResource[] = [];
    const options = new Map<string, { parentName?: string; protect: boolean; dependsOn: string[] }>();
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const opts = options.get(`${args.type}::${args.name}`);
                resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    parentName: opts?.parentName,
                    protect: opts?.protect ?? false,
                    dependsOn: opts?.dependsOn ?? [],
                    provider: args.provider,
                });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call(args) {
                return args.inputs;
            },
        },
        "tenancy",
        "test",
        true,
    );
    return Object.assign(resources, { options });
}

/**
 * Runs `program` as the body of a stack, the way the Pulumi CLI does, recording each resource's
 * options through a stack transformation; resolves with the stack's outputs once every
 * registration has completed.
 */
export async function runRecorded(
    resources: MockedResource[],
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
    const { options } = resources as MockedResource[] & { options: Map<string, { parentName?: string; protect: boolean; dependsOn: string[] }> };
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            const parent = args.opts.parent as (pulumi.Resource & { __name?: string }) | undefined;
            const dependsOn = ([] as unknown[])
                .concat(args.opts.dependsOn ?? [])
                .map((r) => (r as { __name?: string }).__name ?? "?");
            options.set(`${args.type}::${args.name}`, { parentName: parent?.__name, protect: args.opts.protect === true, dependsOn });
            return undefined;
        });
        return program();
    });
    // runInPulumiStack resolves with the outputs; like the CLI's language host, wait for every
    // registration still in flight (disconnect drains the RPC queue first).
    await pulumi.runtime.disconnect();
    return outputs;
}

/** Resolves an Output's value (undefined during preview when unknown). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until the mock engine has seen every registration queued so far. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
