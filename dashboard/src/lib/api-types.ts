/**
 * The REST payload types, taken from `shared/api` (the schemas the server checks and documents with), so the
 * dashboard and the API cannot drift apart silently. Type-only; the schemas themselves come from api-schemas.ts.
 */
export type * from '../../../shared/api/api-types.js';
export type * from '../../../shared/api/neural.js';
