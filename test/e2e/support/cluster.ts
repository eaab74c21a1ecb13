// A real Kubernetes control plane for end-to-end tests, in the shape of controller-runtime's envtest: etcd,
// kube-apiserver and kube-controller-manager on 127.0.0.1 (no kubelet, no scheduler, so pods never run), built by
// `npm run tools` (tools/build.mjs) at the versions pinned in tools/versions.json.
//
//   const cluster = await startCluster();
//   // cluster.kubeconfigPath: an admin kubeconfig (client certificate in O=system:masters)
//   await cluster.stop();
//
// What it sets up:
// - a throwaway CA (openssl, ECDSA P-256) that signs the API server's serving certificate and the client
//   certificates of the admin and of kube-controller-manager (CN=system:kube-controller-manager, so bootstrap RBAC
//   applies to it); service-account token signing keys;
// - etcd (single member, no fsync: test data only), kube-apiserver with RBAC authorization and the admission chain
//   (explicitly NamespaceLifecycle, LimitRanger, ServiceAccount, ResourceQuota, PodSecurity, on top of 1.34's
//   defaults), kube-controller-manager with every default controller and per-controller service-account
//   credentials, so service-account tokens, namespace deletion and quota status work;
// - everything under one mkdtemp folder (data, certificates, kubeconfigs, <process>.log), removed by stop().
//
// startCluster() resolves once /readyz answers ok and kube-controller-manager has created the default
// ServiceAccount and the kube-root-ca.crt ConfigMap; on failure (or a process exiting early) it stops everything
// and throws with the tail of every log. Processes are stopped by PID: SIGTERM, then SIGKILL after a bound.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import os from "node:os";
import path from "node:path";

import { NATS_NAMESPACE, PLATFORM_CONTROLLER, PLATFORM_NAMESPACE } from "../../../contract";
import { toolBinary, toolVersion } from "../../../tools/paths";
import { freePort } from "../../support/ports";

export interface ClusterOptions {
    /** Bound on the whole start, from spawning etcd to a working controller manager. Default 90 s. */
    readyTimeoutMs?: number;
    /** Keep the temp folder (data, certificates, logs) after stop(). Default: env TENANCY_E2E_KEEP=1. */
    keepDir?: boolean;
    /** Extra kube-apiserver flags (`--name=value`), appended after the defaults. */
    apiServerFlags?: string[];
}

export interface Cluster {
    /** The temp folder holding everything. */
    dir: string;
    /** https://127.0.0.1:<port> */
    server: string;
    /** Admin kubeconfig (user `admin`, group system:masters), with the certificates inline. */
    kubeconfigPath: string;
    /** PEM of the cluster CA, admin client certificate and key (for clients that don't read kubeconfigs). */
    caPem: string;
    adminCertPem: string;
    adminKeyPem: string;
    /** The pinned Kubernetes version, e.g. "v1.34.4", which /version reports as gitVersion. */
    gitVersion: string;
    /** Milliseconds from the start of startCluster() (certificates included) to ready. */
    startupMs: number;
    /** Milliseconds at which each start phase ended, from the start of startCluster(). */
    phases: Record<"pki" | "etcd" | "apiserver" | "controllerManager", number>;
    /** GET/POST/... against the API server as admin; resolves with status and body text. */
    request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }>;
    /** The last lines of each process's log. */
    logTails(lines?: number): string;
    /** Kills kube-apiserver alone (SIGKILL, by its PID) and resolves once it has exited; etcd keeps the data. */
    killApiServer(): Promise<void>;
    /** Starts kube-apiserver again with the same flags (same port, same etcd) and resolves once /readyz is ok (bounded: 90 s). */
    restartApiServer(): Promise<void>;
    /** Stops every process (SIGTERM, then SIGKILL) and removes the folder unless kept. Idempotent. */
    stop(): Promise<void>;
}

const SERVICE_CIDR = "10.0.0.0/24";
const SERVICE_IP = "10.0.0.1";
const STOP_GRACE_MS = 10_000;

interface Proc {
    name: string;
    child: ChildProcess;
    logFile: string;
    exited?: string;
}

/** Every child of every cluster in this process, killed if the process exits without stop(). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.on("exit", () => {
        for (const child of liveChildren) {
            if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
                try {
                    process.kill(child.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
        }
    });
}


async function distinctFreePorts(n: number): Promise<number[]> {
    const ports = new Set<number>();
    while (ports.size < n) ports.add(await freePort());
    return [...ports];
}

function openssl(args: string[], cwd: string): void {
    try {
        execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const e = err as { stderr?: Buffer; message: string };
        throw new Error(`openssl ${args.join(" ")} failed: ${e.stderr?.toString().trim() || e.message}`);
    }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Creates in dir: ca.{crt,key} (cluster CA) and the leaf certificates it signs; front-proxy-ca.{crt,key} and the
 * front-proxy-client certificate (request-header authentication, which kube-controller-manager's delegated
 * authentication reads from the extension-apiserver-authentication ConfigMap); sa.{key,pub} (token signing).
 */
function makePki(dir: string): void {
    const ca = (name: string, cn: string) =>
        openssl(["req", "-x509", ...EC, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${cn}`,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
    const leaf = (caName: string, name: string, subject: string, ext: string[]) => {
        fs.writeFileSync(path.join(dir, `${name}.ext`), ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", ...ext].join("\n") + "\n");
        openssl(["req", "-new", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
        const serial = "0x" + createHash("sha1").update(name + Math.random()).digest("hex").slice(0, 16);
        openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`, "-set_serial", serial,
            "-days", "2", "-out", `${name}.crt`, "-extfile", `${name}.ext`], dir);
    };
    ca("ca", "tenancy-e2e-ca");
    leaf("ca", "apiserver", "/CN=kube-apiserver", [
        "extendedKeyUsage=serverAuth",
        `subjectAltName=IP:127.0.0.1,IP:${SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
    ]);
    leaf("ca", "admin", "/O=system:masters/CN=admin", ["extendedKeyUsage=clientAuth"]);
    leaf("ca", "controller-manager", "/CN=system:kube-controller-manager", ["extendedKeyUsage=clientAuth"]);
    ca("front-proxy-ca", "tenancy-e2e-front-proxy-ca");
    leaf("front-proxy-ca", "front-proxy-client", "/CN=front-proxy-client", ["extendedKeyUsage=clientAuth"]);
    // Service-account token signing key pair (ES256).
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key"], dir);
    openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
}

function kubeconfig(server: string, user: string, caPem: string, certPem: string, keyPem: string): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${b64(caPem)}`,
        "users:",
        `- name: ${user}`,
        "  user:",
        `    client-certificate-data: ${b64(certPem)}`,
        `    client-key-data: ${b64(keyPem)}`,
        "contexts:",
        "- name: e2e",
        "  context:",
        "    cluster: e2e",
        `    user: ${user}`,
        "current-context: e2e",
        "",
    ].join("\n");
}

function tail(file: string, lines: number): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: timeoutMs }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
    });
}

/** How adminRequest sends: a string body goes as it is, anything else as JSON. */
export interface AdminRequestOptions {
    /** Content type of the body. @default "application/json" */
    contentType?: string;
    /** Connections to reuse (kept alive), e.g. for many requests in flight. */
    agent?: https.Agent;
    /** Milliseconds before the request is abandoned. @default 10000 */
    timeoutMs?: number;
}

/** A request to the API server with the admin client certificate; resolves with the status and body text. */
export function adminRequest(
    conn: Pick<Cluster, "server" | "caPem" | "adminCertPem" | "adminKeyPem">,
    method: string,
    urlPath: string,
    body?: unknown,
    options: AdminRequestOptions = {},
): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        const req = https.request(
            `${conn.server}${urlPath}`,
            {
                method,
                agent: options.agent,
                ca: conn.caPem,
                cert: conn.adminCertPem,
                key: conn.adminKeyPem,
                timeout: options.timeoutMs ?? 10_000,
                headers: payload === undefined ? {} : { "content-type": options.contentType ?? "application/json", "content-length": Buffer.byteLength(payload) },
            },
            (res) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (text += c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
        req.on("error", reject);
        req.end(payload);
    });
}

/** Starts etcd, kube-apiserver and kube-controller-manager; see the file comment. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
    const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    const keepDir = options.keepDir ?? process.env.TENANCY_E2E_KEEP === "1";
    // Resolve the binaries first: a missing build fails here with "run `npm run tools`".
    const etcdBin = toolBinary("etcd");
    const apiserverBin = toolBinary("kubernetes", "kube-apiserver");
    const kcmBin = toolBinary("kubernetes", "kube-controller-manager");
    const gitVersion = `v${toolVersion("kubernetes")}`;

    installExitHook();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-cluster-"));
    const pki = path.join(dir, "pki");
    fs.mkdirSync(pki);
    const procs: Proc[] = [];
    let stopped = false;

    const logTails = (lines = 30) =>
        procs.map((p) => `--- ${p.name} (${p.logFile})${p.exited ? `, ${p.exited}` : ""} ---\n${tail(p.logFile, lines)}`).join("\n");

    const stop = async () => {
        if (stopped) return;
        stopped = true;
        // Reverse start order: the controller manager, then the API server, then etcd.
        for (const p of [...procs].reverse()) {
            const { child } = p;
            if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
            const gone = new Promise<void>((r) => child.once("exit", () => r()));
            try {
                process.kill(child.pid, "SIGTERM");
            } catch {
                continue;
            }
            const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_GRACE_MS).unref());
            if ((await Promise.race([gone, timer])) === "timeout") {
                try {
                    process.kill(child.pid, "SIGKILL");
                } catch {
                    // exited meanwhile
                }
                await gone;
            }
            liveChildren.delete(child);
        }
        if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    };

    const spawnLogged = (name: string, bin: string, args: string[]): Proc => {
        const logFile = path.join(dir, `${name}.log`);
        const fd = fs.openSync(logFile, "a");
        fs.writeSync(fd, `$ ${bin} ${args.join(" ")}\n`);
        const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", fd, fd] });
        fs.closeSync(fd);
        liveChildren.add(child);
        const proc: Proc = { name, child, logFile };
        child.on("exit", (code, signal) => {
            proc.exited = `exited with ${signal ?? code}`;
            liveChildren.delete(child);
        });
        child.on("error", (err) => {
            proc.exited = `failed to start: ${err.message}`;
        });
        procs.push(proc);
        return proc;
    };

    const started = Date.now();
    const deadline = started + readyTimeoutMs;
    /** Polls check() until it returns true; fails on timeout or when a process exits. */
    const waitFor = async (what: string, check: () => Promise<boolean>) => {
        for (;;) {
            const dead = procs.find((p) => p.exited);
            if (dead) throw new Error(`${dead.name} ${dead.exited} while waiting for ${what}`);
            if (await check().catch(() => false)) return;
            if (Date.now() > deadline) throw new Error(`timed out after ${readyTimeoutMs} ms waiting for ${what}`);
            await sleep(100);
        }
    };

    const phases = { pki: 0, etcd: 0, apiserver: 0, controllerManager: 0 };
    try {
        makePki(pki);
        phases.pki = Date.now() - started;
        const read = (f: string) => fs.readFileSync(path.join(pki, f), "utf8");
        const caPem = read("ca.crt");
        const adminCertPem = read("admin.crt");
        const adminKeyPem = read("admin.key");

        const [etcdClient, etcdPeer, apiPort, kcmPort] = await distinctFreePorts(4);
        const etcdUrl = `http://127.0.0.1:${etcdClient}`;
        const server = `https://127.0.0.1:${apiPort}`;

        spawnLogged("etcd", etcdBin, [
            "--name=e2e",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync=true",
            "--log-level=warn",
        ]);
        await waitFor("etcd /health", async () => {
            const res = await httpGet(`${etcdUrl}/health`, 1000);
            return res.status === 200 && res.body.includes('"true"');
        });
        phases.etcd = Date.now() - started;

        const apiServerArgs = [
            `--etcd-servers=${etcdUrl}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--tls-cert-file=${path.join(pki, "apiserver.crt")}`,
            `--tls-private-key-file=${path.join(pki, "apiserver.key")}`,
            `--client-ca-file=${path.join(pki, "ca.crt")}`,
            "--authorization-mode=RBAC",
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota,PodSecurity",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${path.join(pki, "sa.pub")}`,
            `--service-account-signing-key-file=${path.join(pki, "sa.key")}`,
            `--service-cluster-ip-range=${SERVICE_CIDR}`,
            `--requestheader-client-ca-file=${path.join(pki, "front-proxy-ca.crt")}`,
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            `--proxy-client-cert-file=${path.join(pki, "front-proxy-client.crt")}`,
            `--proxy-client-key-file=${path.join(pki, "front-proxy-client.key")}`,
            // The `kubernetes` Service cannot point at a loopback address; nothing here runs pods that would use it.
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            "--profiling=false",
            "--v=1",
            ...(options.apiServerFlags ?? []),
        ];
        let apiServer = spawnLogged("kube-apiserver", apiserverBin, apiServerArgs);

        const request = (method: string, urlPath: string, body?: unknown) =>
            adminRequest({ server, caPem, adminCertPem, adminKeyPem }, method, urlPath, body);

        await waitFor("kube-apiserver /readyz", async () => {
            const res = await request("GET", "/readyz");
            return res.status === 200 && res.body.trim() === "ok";
        });
        phases.apiserver = Date.now() - started;

        fs.writeFileSync(
            path.join(dir, "controller-manager.kubeconfig"),
            kubeconfig(server, "system:kube-controller-manager", caPem, read("controller-manager.crt"), read("controller-manager.key")),
        );
        const kcmKubeconfig = path.join(dir, "controller-manager.kubeconfig");
        spawnLogged("kube-controller-manager", kcmBin, [
            `--kubeconfig=${kcmKubeconfig}`,
            `--authentication-kubeconfig=${kcmKubeconfig}`,
            `--authorization-kubeconfig=${kcmKubeconfig}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${kcmPort}`,
            `--cert-dir=${path.join(dir, "controller-manager-certs")}`,
            "--leader-elect=false",
            "--use-service-account-credentials=true",
            `--service-account-private-key-file=${path.join(pki, "sa.key")}`,
            `--root-ca-file=${path.join(pki, "ca.crt")}`,
            `--cluster-signing-cert-file=${path.join(pki, "ca.crt")}`,
            `--cluster-signing-key-file=${path.join(pki, "ca.key")}`,
            `--service-cluster-ip-range=${SERVICE_CIDR}`,
            "--controllers=*",
            "--v=1",
        ]);
        // The controller manager works once its serviceaccount and root-ca-cert publisher controllers have acted.
        await waitFor("kube-controller-manager (default ServiceAccount and kube-root-ca.crt in namespace default)", async () => {
            const sa = await request("GET", "/api/v1/namespaces/default/serviceaccounts/default");
            const ca = await request("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt");
            return sa.status === 200 && ca.status === 200;
        });
        phases.controllerManager = Date.now() - started;

        const kubeconfigPath = path.join(dir, "admin.kubeconfig");
        fs.writeFileSync(kubeconfigPath, kubeconfig(server, "admin", caPem, adminCertPem, adminKeyPem));

        const readyz = async () => {
            const res = await request("GET", "/readyz");
            return res.status === 200 && res.body.trim() === "ok";
        };
        const killApiServer = async () => {
            const { child } = apiServer;
            if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
            const gone = new Promise<void>((r) => child.once("exit", () => r()));
            process.kill(child.pid, "SIGKILL");
            await gone;
        };
        const restartApiServer = async () => {
            if (apiServer.child.exitCode === null && apiServer.child.signalCode === null) throw new Error("kube-apiserver is still running: kill it first");
            apiServer = spawnLogged("kube-apiserver", apiserverBin, apiServerArgs);
            const until = Date.now() + 90_000;
            for (;;) {
                if (apiServer.exited) throw new Error(`kube-apiserver ${apiServer.exited} while restarting\n${logTails()}`);
                if (await readyz().catch(() => false)) return;
                if (Date.now() > until) throw new Error(`kube-apiserver not ready 90 s after its restart\n${logTails()}`);
                await sleep(200);
            }
        };

        return {
            dir,
            server,
            kubeconfigPath,
            caPem,
            adminCertPem,
            adminKeyPem,
            gitVersion,
            startupMs: Date.now() - started,
            phases,
            request,
            logTails,
            killApiServer,
            restartApiServer,
            stop,
        };
    } catch (err) {
        const message = `control plane failed to start: ${(err as Error).message}\n${logTails()}`;
        await stop(); // keeps the folder (logs) when keepDir is set

        throw new Error(message);
    }
}

/**
 * What the platform installs before tenancy runs (README, "Using it against a real cluster"): the
 * NATS server's namespace and the orchestrator's namespace and ServiceAccount.
 */
export async function platformPrerequisites(c: Pick<Cluster, "request">): Promise<void> {
    const objects: Array<[string, unknown]> = [
        ["/api/v1/namespaces", { metadata: { name: NATS_NAMESPACE } }],
        ["/api/v1/namespaces", { metadata: { name: PLATFORM_NAMESPACE } }],
        [`/api/v1/namespaces/${PLATFORM_NAMESPACE}/serviceaccounts`, { metadata: { name: PLATFORM_CONTROLLER } }],
    ];
    for (const [url, body] of objects) {
        const { status, body: text } = await c.request("POST", url, body);
        if (status !== 201) throw new Error(`creating ${url} ${JSON.stringify(body)} failed (${status}): ${text}`);
    }
}
