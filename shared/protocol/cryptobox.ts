/** Fuzzy encryption in one import: server class, client helpers, keys, the raw cipher (spec §9). */
export { FuzzyCrypto, isEncrypted, encryptWithHeader, DEFAULT_NM_CACHE_SIZE, type DecryptedRequest } from './fuzzy-crypto.js';
export { clientSharedKey, encryptRequest, decryptReply, type PublicKeyInput } from './crypto-client.js';
export {
  decodeKey,
  generateKeypair,
  generateRawKeypair,
  keyId,
  loadServerKeypair,
  publicKeyOf,
  type GeneratedKeypair,
  type KeyEncoding,
  type KeypairConfig,
  type RawKeypair,
  type ServerKeypair,
} from './crypto-keys.js';
export { open, seal, sharedKey } from './crypto-cipher.js';
export { DecryptError, KeyFormatError, type DecryptFailure } from './errors.js';
