import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkoutRegistryAt, type BaseCheckout } from "../../../cli/plan/git-base";
import { MAX_FILE_BYTES, validateRegistry } from "../../../registry";
import { EXAMPLE_TENANTS, tenantYaml } from "../../support/registry-fixture";
import { commitTwoTenants, gitIn, removeTempDirs, tempDir } from "./support";

afterAll(removeTempDirs);

// The registry as validateRegistry reads it, with the checkout's directory written as <base>.
function validated(checkout: BaseCheckout): unknown {
    const result = validateRegistry(checkout.files);
    return JSON.parse(JSON.stringify(result).split(checkout.dir).join("<base>"));
}

// What os.tmpdir() holds, so that a test can tell whether a checkout wrote anything there.
let tmp: string;
const savedTmpdir = process.env.TMPDIR;
beforeEach(() => {
    tmp = tempDir("git-base-tmp");
    process.env.TMPDIR = tmp;
});
afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
});

/** A repository whose committed registry holds every kind of entry validateRegistry distinguishes, edited in the working tree after the commit. */
function repoWithEveryEntry(): string {
    const repo = tempDir("git-base-repo");
    commitTwoTenants(repo);
    const tenants = path.join(repo, "tenants");
    fs.writeFileSync(path.join(tenants, "initech.yaml"), EXAMPLE_TENANTS["initech.yaml"].replace(/\n/g, "\r\n"));
    fs.chmodSync(path.join(tenants, "initech.yaml"), 0o755);
    fs.writeFileSync(path.join(tenants, "huge.yaml"), `${tenantYaml("huge")}# ${"x".repeat(MAX_FILE_BYTES)}\n`);
    fs.mkdirSync(path.join(tenants, "nested.yaml"));
    fs.writeFileSync(path.join(tenants, "nested.yaml", "inside.yaml"), tenantYaml("inside"));
    fs.writeFileSync(path.join(tenants, "old.yml"), tenantYaml("old"));
    fs.writeFileSync(path.join(tenants, "README.md"), "not a tenant\n");
    fs.writeFileSync(path.join(tenants, "ünïcode.yaml"), "id: [unclosed\n");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-q", "-m", "every entry");
    // The working tree moves on: the checkout must still give the commit's registry.
    fs.writeFileSync(path.join(tenants, "acme.yaml"), EXAMPLE_TENANTS["acme.yaml"].replace("agentLimit: 10", "agentLimit: 9"));
    fs.rmSync(path.join(tenants, "globex.yaml"));
    fs.writeFileSync(path.join(tenants, "hooli.yaml"), tenantYaml("hooli"));
    return repo;
}

describe("checkoutRegistryAt", () => {
    it("reads the registry at the commit from git's objects, writing no file, exactly as from the commit extracted by git archive", async () => {
        const repo = repoWithEveryEntry();
        const tenants = path.join(repo, "tenants");
        const before = fs.readdirSync(tmp);
        const fromGit = await checkoutRegistryAt(tenants, "HEAD");
        expect(fs.readdirSync(tmp)).toEqual(before);
        expect(fs.existsSync(fromGit.dir)).toBe(false);
        expect(fromGit.commit).toBe(gitIn(repo, "rev-parse", "HEAD").trim());
        expect(fromGit.files.names()?.sort()).toEqual(["README.md", "acme.yaml", "globex.yaml", "huge.yaml", "initech.yaml", "nested.yaml", "old.yml", "plans.yaml", "ünïcode.yaml"]);
        expect(fromGit.files.entry("nested.yaml")).toEqual({ file: false });
        expect(fromGit.files.entry("hooli.yaml")).toBeUndefined();
        expect(fromGit.files.entry("acme.yaml")).toMatchObject({ file: true, size: Buffer.byteLength(EXAMPLE_TENANTS["acme.yaml"]) });

        const extracted = await checkoutRegistryAt(tenants, "HEAD", { directory: true });
        try {
            expect(fs.statSync(extracted.dir).isDirectory()).toBe(true);
            expect(validated(fromGit)).toEqual(validated(extracted));
            const { issues } = validated(fromGit) as { issues: { file: string; field: string; message: string }[] };
            expect(issues.filter((i) => i.field === "(file)").map((i) => `${i.file}: ${i.message}`)).toEqual([
                `<base>/huge.yaml: file is ${fs.statSync(path.join(extracted.dir, "huge.yaml")).size} bytes; registry files must be under ${MAX_FILE_BYTES} bytes`,
                "<base>/nested.yaml: is not a regular file",
                "<base>/old.yml: rename to old.yaml; registry files end in .yaml",
                "<base>/ünïcode.yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
            ]);
        } finally {
            extracted.cleanup();
        }
        expect(fs.readdirSync(tmp)).toEqual(before);
    });

    it("gives the same registry as the extracted commit for a valid registry, CRLF and executable files included", async () => {
        const repo = tempDir("git-base-valid");
        commitTwoTenants(repo);
        fs.writeFileSync(path.join(repo, "tenants", "initech.yaml"), EXAMPLE_TENANTS["initech.yaml"].replace(/\n/g, "\r\n"));
        fs.chmodSync(path.join(repo, "tenants", "initech.yaml"), 0o755);
        gitIn(repo, "add", "-A");
        gitIn(repo, "commit", "-q", "-m", "three tenants");
        const fromGit = await checkoutRegistryAt(path.join(repo, "tenants"), "HEAD");
        const extracted = await checkoutRegistryAt(path.join(repo, "tenants"), "HEAD", { directory: true });
        try {
            const registry = validated(fromGit) as { registry?: { entries: { tenant: { slug: string } }[] } };
            expect(registry.registry?.entries.map((e) => e.tenant.slug)).toEqual(["acme", "globex", "initech"]);
            expect(registry).toEqual(validated(extracted));
        } finally {
            extracted.cleanup();
        }
    });

    it("extracts the commit into a directory when the registry holds a symbolic link, whose target only a file system resolves", async () => {
        const repo = tempDir("git-base-link");
        commitTwoTenants(repo);
        fs.symlinkSync("acme.yaml", path.join(repo, "tenants", "link.yaml"));
        gitIn(repo, "add", "-A");
        gitIn(repo, "commit", "-q", "-m", "a link");
        const before = fs.readdirSync(tmp);
        const checkout = await checkoutRegistryAt(path.join(repo, "tenants"), "HEAD");
        try {
            expect(fs.lstatSync(path.join(checkout.dir, "link.yaml")).isSymbolicLink()).toBe(true);
            const { issues } = validated(checkout) as { issues: { file: string; message: string }[] };
            const id = /^id: (\S+)$/m.exec(EXAMPLE_TENANTS["acme.yaml"])![1];
            expect(issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
                `<base>/link.yaml: "${id}" is already used by <base>/acme.yaml; org ids must be unique`,
                "<base>/link.yaml: file must be named after the slug: rename link.yaml to acme.yaml or change slug",
                '<base>/link.yaml: "acme" is already used by <base>/acme.yaml; slugs must be unique',
            ]);
        } finally {
            checkout.cleanup();
        }
        expect(fs.readdirSync(tmp)).toEqual(before);
    });
});
