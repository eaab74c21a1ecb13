// The NATS subject scheme and the names of the NATS objects: which subjects a tenant owns, how
// accounts are named, where the server's configuration lives. Components build from it, the policy
// pack checks against it, the planner reports with it.

/** Name of the platform's own account, which exports broadcasts and the status service. */
export const PLATFORM_ACCOUNT = "PLATFORM";
/** Stream the platform broadcasts on; every tenant account imports it unchanged. */
export const PLATFORM_BROADCAST_SUBJECT = "platform.broadcast.>";
/** Service the platform exports for agent status; the last token is the sending tenant's slug. */
export const PLATFORM_STATUS_EXPORT = "platform.status.*";
/** Fixed subject inside every tenant account that the status import maps to `platform.status.<slug>`. */
export const STATUS_LOCAL_SUBJECT = "platform.status";
/** Kubernetes caps a ConfigMap (all keys together) at 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1_048_576;

// Keys of the nats-credentials Secret: env-var names so a pod can take them all with `envFrom`.
/** Secret key of the NATS server URL. */
export const CREDENTIAL_URL_KEY = "NATS_URL";
/** Secret key of the user's nkey seed (the only secret in the Secret). */
export const CREDENTIAL_SEED_KEY = "NATS_NKEY_SEED";
/** Secret key of the account name (for logs and debugging; the server derives it from the nkey). */
export const CREDENTIAL_ACCOUNT_KEY = "NATS_ACCOUNT";
/** Secret key of the tenant's subject prefix, `org.<slug>`. */
export const CREDENTIAL_SUBJECT_PREFIX_KEY = "NATS_SUBJECT_PREFIX";
/** Secret key of the inbox prefix the client must use (`inboxPrefix` in nats.js), `_INBOX.<slug>`. */
export const CREDENTIAL_INBOX_PREFIX_KEY = "NATS_INBOX_PREFIX";
/** Secret key of the local subject on which agents send status to the platform. */
export const CREDENTIAL_STATUS_SUBJECT_KEY = "NATS_STATUS_SUBJECT";

export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;
/** A NATS subject: dot-separated tokens, `*` and a final `>` allowed. */
export const SUBJECT = /^(?:[A-Za-z0-9_*-]+|>)(?:\.(?:[A-Za-z0-9_*-]+|>))*$/;

/** Thrown for input that cannot become a valid NATS subject or document; the message names the bad value. */
export class NatsSpecError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NatsSpecError";
    }
}

function token(kind: string, value: string): string {
    if (!SUBJECT_TOKEN.test(value)) throw new NatsSpecError(`${kind} "${value}" is not a valid NATS subject token (letters, digits, '-' and '_' only)`);
    return value;
}

/** The subjects of one tenant; everything under `org.<slug>.` plus its own inbox prefix. */
export interface TenantSubjects {
    /** Subject prefix, `org.<slug>`. */
    prefix: string;
    /** Every subject of the tenant, `org.<slug>.>`. */
    all: string;
    /** Inbox prefix the tenant's clients must use for replies, `_INBOX.<slug>`. */
    inboxPrefix: string;
    /** Every inbox of the tenant, `_INBOX.<slug>.>`. */
    inboxes: string;
    /** Wildcard of every agent task inbox, `org.<slug>.tasks.*.inbox`. */
    taskInboxes: string;
    /** Wildcard of every agent status subject, `org.<slug>.agents.*.status`. */
    agentStatuses: string;
    /** Subject in PLATFORM on which the tenant's status arrives, `platform.status.<slug>`. */
    platformStatus: string;
}

/** The subject scheme of a tenant, from its slug. */
export function tenantSubjects(slug: string): TenantSubjects {
    token("tenant slug", slug);
    const prefix = `org.${slug}`;
    return {
        prefix,
        all: `${prefix}.>`,
        inboxPrefix: `_INBOX.${slug}`,
        inboxes: `_INBOX.${slug}.>`,
        taskInboxes: `${prefix}.tasks.*.inbox`,
        agentStatuses: `${prefix}.agents.*.status`,
        platformStatus: `platform.status.${slug}`,
    };
}

/** Task inbox of one agent, `org.<slug>.tasks.<agent>.inbox`. */
export function taskInboxSubject(slug: string, agent: string): string {
    return `${tenantSubjects(slug).prefix}.tasks.${token("agent name", agent)}.inbox`;
}

/** Status subject of one agent inside its tenant, `org.<slug>.agents.<agent>.status`. */
export function agentStatusSubject(slug: string, agent: string): string {
    return `${tenantSubjects(slug).prefix}.agents.${token("agent name", agent)}.status`;
}

/** The tenant's slug from a subject the platform received on `platform.status.<slug>`, or undefined for any other subject. */
export function statusSender(subject: string): string | undefined {
    const match = /^platform\.status\.([A-Za-z0-9_-]+)$/.exec(subject);
    return match?.[1];
}

/**
 * Account name of a tenant: its opaque, immutable org id (`org_7f3k2m9q`). The id never changes
 * when a slug or display name does, never reveals the customer's name in server logs or
 * monitoring, matches the tenant label the policy pack keys ownership on, and cannot collide with
 * PLATFORM or `$SYS` because the registry requires the `org_` prefix.
 */
export function natsAccountName(tenant: { id: string }): string {
    if (!/^org_[a-z0-9]+$/.test(tenant.id)) throw new NatsSpecError(`tenant id "${tenant.id}" is not an opaque org id like org_abc123`);
    return tenant.id;
}

/** Name of the Secret holding a tenant's NATS credential, in the tenant's namespace. */
export const NATS_CREDENTIALS_SECRET = "nats-credentials";
/** Secret key of the user's credentials file (`.creds`: the user JWT and its nkey seed), as NATS clients read it. */
export const CREDENTIAL_CREDS_KEY = "NATS_CREDS";
/** Name of the Secret (in the NATS namespace) holding the platform's own NATS credential. */
export const NATS_PLATFORM_CREDENTIALS_SECRET = "nats-platform-credentials";
/**
 * Name of the ConfigMap (in the NATS namespace) holding `operator.conf`: the operator JWT, the
 * system account, the memory resolver preloaded with the system and PLATFORM account JWTs, and an
 * `include` of every tenant's account file. The server's main configuration includes it.
 */
export const NATS_OPERATOR_CONFIGMAP = "nats-operator";
/** ConfigMap key (and file name) of the shared operator-mode configuration. */
export const OPERATOR_CONF_KEY = "operator.conf";
/** Name of the operator in its JWT. */
export const NATS_OPERATOR_NAME = "tenancy";
/** Name of the system account in its JWT. */
export const SYSTEM_ACCOUNT = "SYS";
/** Value of the component label on a tenant's account ConfigMap, for selecting them all (e.g. by a config sync sidecar). */
export const NATS_ACCOUNT_COMPONENT = "nats-account";

/** Name of the ConfigMap (in the NATS namespace) holding one tenant's account JWT: `nats-account-<org id with '-' for '_'>`. */
export function natsAccountConfigMapName(tenantId: string): string {
    return `nats-account-${natsAccountName({ id: tenantId }).replace(/_/g, "-")}`;
}

/** ConfigMap key (and file name) of one tenant's account file, `<org id>.conf`, which operator.conf includes. */
export function natsAccountConfKey(tenantId: string): string {
    return `${natsAccountName({ id: tenantId })}.conf`;
}

/** Stack config key of the one secret every NATS key of the program derives from (hex or base64, at least 32 bytes). */
export const NATS_MASTER_KEY_CONFIG = "tenancy:natsMasterKey";
/** Least number of bytes of the master key. */
export const NATS_MASTER_KEY_MIN_BYTES = 32;
/** The command that creates the master key in the stack's config, encrypted by the stack's secrets provider. */
export const NATS_MASTER_KEY_COMMAND = "openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey";
/** Stack config key of the per-tenant key generation (slug → integer ≥ 1, default 1); raising it rotates the tenant's keys. */
export const NATS_KEY_GENERATIONS_CONFIG = "tenancy:natsKeyGenerations";
/** Generation of a tenant's keys when the stack config names none. */
export const DEFAULT_NATS_KEY_GENERATION = 1;

/** The command that moves a tenant's NATS keys to generation `next` (the stack's config, not a secret). */
export function natsKeyGenerationCommand(stack: string, slug: string, next: number): string {
    return `pulumi config set --stack ${stack} --path '${NATS_KEY_GENERATIONS_CONFIG}.${slug}' ${next}`;
}
