// One-change variants of the compliant stack for the NATS rule, by class (issue 18): what the server
// reads and a lenient reader does not, config spellings, whose credential is where, and the limits
// that decide isolation. Each JWT is re-signed with the stack's real keys, so a valid signature
// proves nothing; the rule must refuse each on what it says.
import { Types } from "@nats-io/jwt";
import { Prefix } from "@nats-io/nkeys";
import { credsFile, decodeJwt, signJwt, userJwt, type JwtSigner } from "../../components/nats-jwt";
import { accountKeys, nkeyFromSeedBytes, operatorKeys } from "../../components/nats-keys";
import { parseAccountConf, renderAccountConf } from "../../components/nats-server-config";
import { byName, idOf, MASTER, natsOf, world } from "./fixtures";
import { accountFile, OPERATOR } from "./nats-edit";
import { fixture, type Fixture } from "./support";

/** Org ids of the tests' tenants. */
export const ACME = idOf("acme");
export const GLOBEX = idOf("globex");
export const INITECH = idOf("initech");

const HEADER = Buffer.from(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" })).toString("base64url");

/** A JWT whose payload is exactly `payload` (duplicate keys and all), signed by `signer`. */
export function rawJwt(payload: string, signer: JwtSigner = OPERATOR): string {
    const body = Buffer.from(payload).toString("base64url");
    return `${HEADER}.${body}.${Buffer.from(signer.sign(new TextEncoder().encode(`${HEADER}.${body}`))).toString("base64url")}`;
}

/** The claims of a tenant's account JWT as the compliant stack holds it. */
export function accountClaimsOf(slug: string): Record<string, any> {
    return decodeJwt<Record<string, unknown>>(natsOf(slug).accountJwt) as unknown as Record<string, any>;
}

/** Replaces a tenant's account file with `jwt` under `key` (its own account key unless given). */
export function setAccountJwt(resources: Fixture[], id: string, jwt: string, key = parseAccountConf(byName(resources, `nats-account-${id}`).props.data[accountFile(id)])!.publicKey): Fixture[] {
    byName(resources, `nats-account-${id}`).props.data[accountFile(id)] = renderAccountConf(key, jwt);
    return resources;
}

/** The account file of `slug` with its `nats` claims changed, re-signed by the operator. */
export function editAccount(resources: Fixture[], slug: string, change: (nats: any, claims: any) => void, signer: JwtSigner = OPERATOR): Fixture[] {
    const claims = accountClaimsOf(slug);
    const { type: _t, version: _v, ...nats } = claims.nats;
    change(nats, claims);
    return setAccountJwt(resources, idOf(slug), signJwt(Types.Account, claims.name, claims.sub, nats, signer));
}

/** operator.conf with `change` applied to its text. */
export function editOperatorConf(resources: Fixture[], change: (text: string) => string): Fixture[] {
    const cm = byName(resources, "nats-operator");
    cm.props.data["operator.conf"] = change(cm.props.data["operator.conf"]);
    return resources;
}

/** A Secret in `namespace`. */
export const secret = (name: string, namespace: string, body: Record<string, unknown>) =>
    fixture("kubernetes:core/v1:Secret", name, { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, ...body });

/** A ConfigMap in `namespace`. */
export const configMap = (name: string, namespace: string, data: Record<string, string>) =>
    fixture("kubernetes:core/v1:ConfigMap", name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });

/** A user of a tenant's account that tenancy does not derive (a new user key), issued by the account's real signing key. */
export function mintedUser(id: string) {
    const user = nkeyFromSeedBytes(Prefix.User, new Uint8Array(32).fill(9));
    const keys = accountKeys(MASTER, id, 1);
    const jwt = userJwt("minted", user.publicKey, keys.account.publicKey, keys.signing);
    return { user, jwt, creds: credsFile(jwt, user.seed) };
}

/** base64 wrapped at 76 columns, as the `base64` command writes it. */
export const wrapped = (text: string) => Buffer.from(text).toString("base64").replace(/(.{76})/g, "$1\n");

/** The acme account's claims text with a second `"NATS"` object, or a case variant, or a duplicate `nats` key. */
export function acmePayloadWith(extra: "NATS" | "Nats" | "duplicate"): string {
    const claims = accountClaimsOf("acme");
    const intruder = { imports: [{ name: "x", subject: "org.globex.>", account: natsOf("globex").accountPublicKey, type: "stream" }] };
    const text = JSON.stringify(claims);
    const inner = JSON.stringify(intruder);
    if (extra === "duplicate") return text.replace(/}$/, `,"nats":${JSON.stringify({ ...claims.nats, ...intruder })}}`);
    return text.replace(/}$/, `,"${extra}":${inner}}`);
}

/** The whole compliant stack of acme and globex (and initech, suspended, when asked). */
export const stack = (withSuspended = false) => world(withSuspended ? ["acme", "globex", "initech"] : ["acme", "globex"]);

/** The operator key pair of another master key: an operator the stack does not derive. */
/** The tests' master key. */
export const MASTER_ = MASTER;

export const FOREIGN_OPERATOR = operatorKeys(Buffer.alloc(32, 3)).operator;
