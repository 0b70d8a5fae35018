/**
 * The REST payload types, taken from `shared/api` (the server's DTOs implement the same interfaces), so the dashboard
 * and the API cannot drift apart silently. Type-only: nothing from the server ends up in the bundle.
 */
export type * from '../../../shared/api/api-types.js';
export type * from '../../../shared/api/neural.js';
