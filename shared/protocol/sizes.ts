/**
 * The sizes of the protocol that the admin API's schemas (shared/api) are bounded by. Kept apart from constants.ts,
 * which builds Buffers at load, so the dashboard can bundle them without Node's Buffer.
 */
export const DIGEST_BYTES = 64;
export const SHINGLE_COUNT = 32;
/** A digest holds at most this many (flag, value) slots (4.0): the primary one and 7 extra. */
export const MAX_FLAGS_PER_HASH = 8;
