import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSharedProperties, shareDeserializedProperties, SHARED_DESERIALIZE_SHA256 } from "../../policy/share-deserialized-properties";

type Deserialize = (struct: unknown, proxySecrets: boolean) => Record<string, unknown>;
const MODULE = require.resolve("@pulumi/policy/deserialize");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require(MODULE) as { deserializeProperties: Deserialize };
const original = mod.deserializeProperties;
const dirs: string[] = [];
afterAll(() => {
    mod.deserializeProperties = original;
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const struct = () => structPb.Struct.fromJavaScript({ metadata: { name: "acme", labels: { a: "b" } }, items: [1, "two", null], secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cret" } } as never);

describe("shareDeserializedProperties", () => {
    it("pins the installed @pulumi/policy's deserialize.js: a new version must be read again before its function is shared", () => {
        expect(createHash("sha256").update(fs.readFileSync(MODULE)).digest("hex")).toBe(SHARED_DESERIALIZE_SHA256);
    });

    it("leaves any other deserialize.js as it is", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-share-"));
        dirs.push(dir);
        const edited = path.join(dir, "deserialize.js");
        fs.writeFileSync(edited, `${fs.readFileSync(MODULE, "utf8")}\n// edited\n`);
        expect(shareDeserializedProperties(edited)).toBe(false);
        expect(mod.deserializeProperties).toBe(original);
    });
});

describe("shareDeserializedProperties on the pinned file", () => {
    beforeAll(() => {
        expect(shareDeserializedProperties()).toBe(true);
    });

    it("computes the properties once per Struct without proxied secrets, equal to what @pulumi/policy computes, and marks them shared", () => {
        const one = struct();
        const first = mod.deserializeProperties(one, false);
        expect(mod.deserializeProperties(one, false)).toBe(first);
        expect(first).toEqual(original(struct(), false));
        expect(first.secret).toBe("s3cret");
        expect(isSharedProperties(first)).toBe(true);
        const other = mod.deserializeProperties(struct(), false);
        expect(other).not.toBe(first);
        expect(other).toEqual(first);
    });

    it("gives Remediate (proxied secrets) its own copy every time, not marked shared", () => {
        const one = struct();
        const a = mod.deserializeProperties(one, true);
        const b = mod.deserializeProperties(one, true);
        expect(a).not.toBe(b);
        expect(isSharedProperties(a)).toBe(false);
        expect(isSharedProperties(original(one, false))).toBe(false);
        expect(isSharedProperties(undefined)).toBe(false);
    });
});
