/**
 * The admin REST API's payloads (`/api/v1`), one TypeBox schema each: the schema is the TypeScript type (`Static`),
 * the runtime check (server, CLI, dashboard) and the OpenAPI description. This file gathers them for importers that
 * want them all; nothing here or in the files it names may pull server code into the dashboard bundle.
 */
export * from './access-settings.js';
export * from './audit.js';
export * from './explain.js';
export * from './flags.js';
export * from './hashes.js';
export * from './keys.js';
export * from './lookup.js';
export * from './networks.js';
export * from './problem.js';
export * from './ratelimits.js';
export * from './stats.js';
export * from './tokens.js';
