/**
 * Pulumi mocks for the NATS component tests: every resource echoes its inputs, as a provider's
 * preview of a create does. The components derive their keys from the master key they are given,
 * so nothing here has to invent key material.
 */
import * as pulumi from "@pulumi/pulumi";

/** A registration as the mock engine saw it, plus the raw inputs (Outputs, secrets) the component passed. */
export interface Registration {
    /** Resource type token. */
    type: string;
    /** Resource name. */
    name: string;
    /** Plain inputs as serialized to the engine. */
    inputs: Record<string, any>;
}

/** Options of installNatsMocks. */
export interface NatsMockOptions {
    /** Run as `pulumi preview`. @default false */
    preview?: boolean;
}

/** Installs the mocks; call before importing any component. */
export function installNatsMocks(options: NatsMockOptions = {}): Registration[] {
    const registrations: Registration[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call(args) {
                return args.inputs;
            },
        },
        "tenancy",
        "test",
        options.preview ?? false,
    );
    return registrations;
}

/** Raw resource inputs (with Outputs and secret markers intact), recorded by a stack transformation. */
export type RawInputs = Map<string, Record<string, any>>;

/** Runs `program` as a stack body, recording every resource's raw inputs by name, and waits for all registrations. */
export async function runStack(program: () => void | Promise<void>): Promise<RawInputs> {
    const raw: RawInputs = new Map();
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            raw.set(args.name, args.props);
            return undefined;
        });
        await program();
        return {};
    });
    await pulumi.runtime.disconnect();
    return raw;
}

/** Resolves an Output: its value and whether it is known and secret. */
export function inspect<T>(output: pulumi.Output<T>): Promise<{ value: T | undefined; known: boolean; secret: boolean }> {
    const o = output as any;
    return Promise.all([o.promise(true), o.isKnown, o.isSecret]).then(([value, known, secret]) => ({ value, known, secret }));
}

/** Whether a value the mock engine received is wrapped as a secret (as the real engine would store it encrypted). */
export function isSecretWire(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** The value inside a secret wrapper the mock engine received, or the value itself. */
export function unwrap<T = any>(value: unknown): T {
    return (isSecretWire(value) ? (value as { value: T }).value : value) as T;
}
