/**
 * libsodium, initialised once. The sumo build is required: the plain build lacks the XChaCha20 stream and
 * Poly1305 one-time-auth calls rspamd's cipher is built from (spec/fuzzy-protocol.md §9.4). Top-level await makes
 * every importer see a ready library, so the crypto helpers can stay synchronous on the hot path.
 */
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

export { sodium };
