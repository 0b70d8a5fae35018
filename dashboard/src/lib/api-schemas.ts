/**
 * The REST payload schemas and format checks from `shared/api`, the ones the server validates with, so a form can
 * refuse what the API would refuse before a round trip. TypeBox is bundled with them; its checks here are the
 * interpreting ones (Value.Check), never the compiled ones, which would need `unsafe-eval` under fuzzyd's CSP.
 */
export { FLAG_MAX, I32_MAX, I32_MIN, isDigestHex, isHex, isU64Decimal, MAX_FLAGS_PER_HASH } from '../../../shared/api/formats.js';
export { FlagUpdate } from '../../../shared/api/flags.js';
export { HashCreate, HashPatch } from '../../../shared/api/hashes.js';
export { KeyCreate } from '../../../shared/api/keys.js';
export { NetworkCreate } from '../../../shared/api/networks.js';
export { schemaProblem, type SchemaProblem } from '../../../shared/api/schema-problem.js';
