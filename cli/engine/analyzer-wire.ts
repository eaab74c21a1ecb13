// Analyze, AnalyzeStack and ConfigureAnalyzer requests encoded straight to protobuf bytes, without building
// google-protobuf message objects (a Struct of objects per property, then serialized): byte for
// byte what toAnalyzeRequest/toAnalyzerResource and serializeBinary() produce (map keys sorted,
// proto3 defaults omitted, oneof values always written), at a fraction of the cost and garbage.
import type { EngineProvider, EngineResource, EngineResourceOptions } from "./analyzer-types";

const LEN = 2;
const VARINT = 0;
const FIXED64 = 1;

/** A growable byte buffer with protobuf's primitive writers. */
class Writer {
    private buf = Buffer.allocUnsafe(64 * 1024);
    private pos = 0;

    /** Starts a new message (after an encoding that threw, too). */
    reset(): void {
        this.pos = 0;
    }

    /** The bytes written since the last call, copied out; the writer starts over. */
    take(): Buffer {
        const out = Buffer.from(this.buf.subarray(0, this.pos));
        this.pos = 0;
        // A huge AnalyzeStack request must not keep its buffer alive afterwards.
        if (this.buf.length > 16 * 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
        return out;
    }

    private room(n: number): void {
        if (this.pos + n <= this.buf.length) return;
        let size = this.buf.length * 2;
        while (size < this.pos + n) size *= 2;
        const next = Buffer.allocUnsafe(size);
        this.buf.copy(next, 0, 0, this.pos);
        this.buf = next;
    }

    varint(value: number): void {
        this.room(10);
        while (value > 0x7f) {
            this.buf[this.pos++] = (value & 0x7f) | 0x80;
            value = Math.floor(value / 128);
        }
        this.buf[this.pos++] = value;
    }

    tag(field: number, wire: number): void {
        this.varint(field * 8 + wire);
    }

    string(field: number, value: string): void {
        const length = Buffer.byteLength(value);
        this.tag(field, LEN);
        this.varint(length);
        this.room(length);
        this.pos += this.buf.write(value, this.pos, "utf8");
    }

    double(field: number, value: number): void {
        this.tag(field, FIXED64);
        this.room(8);
        this.pos = this.buf.writeDoubleLE(value, this.pos);
    }

    bool(field: number, value: boolean): void {
        this.tag(field, VARINT);
        this.varint(value ? 1 : 0);
    }

    /** A length-delimited submessage: `write` fills it, its length is put in front. */
    message(field: number, write: () => void): void {
        this.tag(field, LEN);
        // Reserve the longest length varint (5 bytes), then move the body if the length is shorter.
        this.room(5);
        const at = this.pos;
        this.pos += 5;
        write();
        const length = this.pos - at - 5;
        const size = varintSize(length);
        if (size < 5) this.buf.copy(this.buf, at + size, at + 5, this.pos);
        let value = length;
        let p = at;
        while (value > 0x7f) {
            this.buf[p++] = (value & 0x7f) | 0x80;
            value = Math.floor(value / 128);
        }
        this.buf[p] = value;
        this.pos -= 5 - size;
    }
}

function varintSize(value: number): number {
    let size = 1;
    while (value > 0x7f) {
        value = Math.floor(value / 128);
        size++;
    }
    return size;
}

// google.protobuf.Struct (fields = 1, a map written in sorted key order) from plain JSON data, as
// Struct.fromJavaScript(JSON.parse(JSON.stringify(value))) gives: undefined and functions are left
// out of objects and become null in lists, non-finite numbers null, toJSON() is honoured.
function writeStruct(w: Writer, value: Record<string, unknown>): void {
    for (const key of Object.keys(value).sort()) {
        const v = jsonValue(value[key]);
        if (v === undefined) continue;
        w.message(1, () => {
            w.string(1, key);
            w.message(2, () => writeValue(w, v));
        });
    }
}

function jsonValue(value: unknown): unknown {
    if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return (value as { toJSON(): unknown }).toJSON();
    }
    if (typeof value === "function" || typeof value === "symbol") return undefined;
    return value;
}

// google.protobuf.Value: null_value = 1, number_value = 2, string_value = 3, bool_value = 4,
// struct_value = 5, list_value = 6 (ListValue: values = 1).
function writeValue(w: Writer, value: unknown): void {
    if (value === null || value === undefined) {
        w.tag(1, VARINT);
        w.varint(0);
    } else if (typeof value === "number") {
        // JSON has no -0: it reads back as 0.
        if (Number.isFinite(value)) w.double(2, value === 0 ? 0 : value);
        else {
            w.tag(1, VARINT);
            w.varint(0);
        }
    } else if (typeof value === "string") w.string(3, value);
    else if (typeof value === "boolean") w.bool(4, value);
    else if (typeof value === "bigint") throw new TypeError("Do not know how to serialize a BigInt");
    else if (Array.isArray(value)) {
        w.message(6, () => {
            for (const item of value) {
                const v = jsonValue(item);
                w.message(1, () => writeValue(w, v === undefined ? null : v));
            }
        });
    } else w.message(5, () => writeStruct(w, value as Record<string, unknown>));
}

function writeOptions(w: Writer, options: EngineResourceOptions): void {
    if (options.protect) w.bool(1, true);
    for (const s of options.ignoreChanges ?? []) w.string(2, s);
    if (options.deleteBeforeReplace) w.bool(3, true);
    if (options.deleteBeforeReplace !== undefined) w.bool(4, true);
    for (const s of options.additionalSecretOutputs ?? []) w.string(5, s);
    for (const s of options.aliases ?? []) w.string(6, s);
    const t = options.customTimeouts;
    if (t) {
        w.message(7, () => {
            if ((t.create ?? 0) !== 0) w.double(1, t.create!);
            if ((t.update ?? 0) !== 0) w.double(2, t.update!);
            if ((t.delete ?? 0) !== 0) w.double(3, t.delete!);
        });
    }
    if (options.parent) w.string(8, options.parent);
}

function writeProvider(w: Writer, provider: EngineProvider): void {
    if (provider.type) w.string(1, provider.type);
    w.message(2, () => writeStruct(w, provider.properties ?? {}));
    if (provider.urn) w.string(3, provider.urn);
    if (provider.name) w.string(4, provider.name);
}

// The fields AnalyzeRequest and AnalyzerResource share: type 1, properties 2, urn 3, name 4,
// options 5, provider 6.
function writeCommon(w: Writer, resource: EngineResource): void {
    if (resource.type) w.string(1, resource.type);
    w.message(2, () => writeStruct(w, resource.properties ?? {}));
    if (resource.urn) w.string(3, resource.urn);
    if (resource.name) w.string(4, resource.name);
    w.message(5, () => writeOptions(w, { ...resource.options, parent: resource.options.parent ?? resource.parent }));
    if (resource.provider) w.message(6, () => writeProvider(w, resource.provider!));
}

// Encoding is synchronous, so one writer serves every request.
const shared = new Writer();

/** An Analyze request for one resource (its inputs), as bytes. */
export function encodeAnalyzeRequest(resource: EngineResource): Buffer {
    const w = shared;
    w.reset();
    writeCommon(w, resource);
    return w.take();
}

/** An AnalyzeStack request (every resource's outputs), as bytes. */
export function encodeAnalyzeStackRequest(resources: EngineResource[]): Buffer {
    const w = shared;
    w.reset();
    for (const resource of resources) {
        w.message(1, () => {
            writeCommon(w, resource);
            const parent = resource.parent ?? resource.options.parent ?? "";
            if (parent) w.string(7, parent);
            for (const urn of resource.dependencies ?? []) w.string(8, urn);
            const deps = resource.propertyDependencies ?? {};
            for (const key of Object.keys(deps).sort()) {
                w.message(9, () => {
                    w.string(1, key);
                    w.message(2, () => {
                        for (const urn of deps[key]) w.string(1, urn);
                    });
                });
            }
        });
    }
    return w.take();
}

/** One rule's entry of a ConfigureAnalyzer request: its enforcement level's protocol code and its properties. */
export interface RuleConfigEntry {
    /** The rule's name. */
    name: string;
    /** The EnforcementLevel enum's number. */
    level: number;
    /** The rule's configuration properties. */
    properties: Record<string, unknown>;
}

/** A ConfigureAnalyzer request (policyConfig = 1, a map of PolicyConfig: enforcementLevel = 1, properties = 2), as bytes. */
export function encodeConfigureRequest(rules: readonly RuleConfigEntry[]): Buffer {
    const w = shared;
    w.reset();
    for (const rule of [...rules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        w.message(1, () => {
            w.string(1, rule.name);
            w.message(2, () => {
                if (rule.level !== 0) {
                    w.tag(1, VARINT);
                    w.varint(rule.level);
                }
                w.message(2, () => writeStruct(w, rule.properties));
            });
        });
    }
    return w.take();
}
