// Edits of the NATS documents the program generates, as a hand-written change would make them: an
// account JWT re-signed by the operator (or by another key) after its claims changed.
import { Types } from "@nats-io/jwt";
import { decodeJwt, signJwt, type JwtSigner } from "../../components/nats-jwt";
import { operatorKeys } from "../../components/nats-keys";
import { parseAccountConf, renderAccountConf } from "../../components/nats-server-config";
import { MASTER } from "./fixtures";

/** The operator key of the tests' stacks. */
export const OPERATOR = operatorKeys(MASTER).operator;

/** Data key of a tenant's account file. */
export const accountFile = (id: string) => `${id}.conf`;

/** The account file with its JWT's `nats` claims changed by `change`, then signed by `signer` (the operator unless given). */
export function editAccountConf(conf: string, change: (nats: any, claims: { name: string }) => void, signer: JwtSigner = OPERATOR): string {
    const entry = parseAccountConf(conf);
    if (!entry) throw new Error("not an account file the program writes");
    const claims = decodeJwt<Record<string, unknown>>(entry.jwt);
    const { type: _type, version: _version, ...nats } = claims.nats as Record<string, unknown>;
    const named = { name: claims.name };
    change(nats, named);
    return renderAccountConf(entry.publicKey, signJwt(Types.Account, named.name, claims.sub, nats, signer));
}
