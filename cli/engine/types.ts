/** One alias of a resource as the SDK sent it: an URN or a spec relative to the resource. */
export type RecordedAlias =
    | { urn: string }
    | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent?: boolean };

/** The resource options the engine sees in a RegisterResource request. */
export interface RecordedOptions {
    /** protect, when the program set it. */
    protect?: boolean;
    /** retainOnDelete, when the program set it. */
    retainOnDelete?: boolean;
    /** URN of the resource this one is deleted with, or "". */
    deletedWith: string;
    /** Input properties whose changes are ignored. */
    ignoreChanges: string[];
    /** Properties whose changes force a replacement. */
    replaceOnChanges: string[];
    /** Aliases (previous identities). */
    aliases: RecordedAlias[];
    /** Outputs the engine must treat as secrets. */
    additionalSecretOutputs: string[];
    /** deleteBeforeReplace, when the program set it. */
    deleteBeforeReplace?: boolean;
    /** Custom timeouts, when any is set. */
    customTimeouts?: { create: string; update: string; delete: string };
    /** Provider plugin version requested. */
    version: string;
    /** Provider plugin download URL requested. */
    pluginDownloadURL: string;
    /** Import id, when adopting an existing resource. */
    importId: string;
    /** Properties whose diffs are hidden. */
    hideDiffs: string[];
    /** URNs this resource is replaced with. */
    replaceWith: string[];
    /** Provider references per package, for component resources. */
    providers: Record<string, string>;
}

/** One registration as the recording monitor saw it, in wire format (secrets stay marked). */
export interface RecordedResource {
    /** URN computed the way the engine does. */
    urn: string;
    /** Type token, e.g. `kubernetes:core/v1:Namespace`. */
    type: string;
    /** Logical name. */
    name: string;
    /** Custom (provider-managed) resource, or a component. */
    custom: boolean;
    /** URN of the parent, "" for the stack itself. */
    parent: string;
    /** Provider reference `<provider urn>::<provider id>`, "" for the default provider. */
    provider: string;
    /** Input properties in wire format. */
    inputs: Record<string, unknown>;
    /** Outputs the emulated engine answered with (component and stack outputs once registered). */
    outputs: Record<string, unknown>;
    /** Output names computed by emulation rather than echoed from inputs. */
    emulated: string[];
    /** The id answered, "" when unknown (every new resource in a preview). */
    id: string;
    /** URNs of every resource this one depends on, sorted. */
    dependencies: string[];
    /** Per input property, the URNs it depends on, sorted. */
    propertyDependencies: Record<string, string[]>;
    /** Options as the engine sees them. */
    options: RecordedOptions;
    /** Registered through ReadResource (an existing resource read, not managed). */
    read?: boolean;
}
