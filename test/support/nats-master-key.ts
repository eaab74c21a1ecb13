// The NATS master key of the tests' stacks: 32 fixed bytes, a test value that protects nothing.

/** `tenancy:natsMasterKey` as the tests set it (hex); the program derives every NATS key from it. */
export const TEST_NATS_MASTER_KEY = "7e57".repeat(16);

/** Stack config holding the test master key, and the secret keys list that marks it secret, for `setAllConfig`. */
export const TEST_NATS_MASTER_KEY_CONFIG = { "tenancy:natsMasterKey": TEST_NATS_MASTER_KEY } as const;
