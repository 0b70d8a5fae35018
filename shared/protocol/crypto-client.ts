/** Client side of fuzzy encryption, as the rspamd fuzzy_check plugin does it (§4.4, §6.3). */
import { ENCRYPTED_HEADER_BYTES, ENCRYPTED_REPLY_HEADER_BYTES, ENCRYPTION_MAGIC, SHORT_REPLY_BYTES } from './constants.js';
import { MAC_BYTES, NONCE_BYTES, open, randomNonce, seal, sharedKey } from './crypto-cipher.js';
import { type RawKeypair, WIRE_KEY_ID_BYTES, decodeKey } from './crypto-keys.js';
import { DecryptError } from './errors.js';

/** Server public key as raw bytes, or as text (zbase32 like `encryption_key`, or 64 hex digits). */
export type PublicKeyInput = Uint8Array | string;

function toKey(key: PublicKeyInput): Uint8Array {
  return typeof key === 'string' ? decodeKey(key) : key;
}

/** The nm a client shares with a server key; compute it once per (client key, server key), it is the costly part. */
export function clientSharedKey(serverPublicKey: PublicKeyInput, client: RawKeypair): Uint8Array {
  return sharedKey(toKey(serverPublicKey), client.secretKey);
}

/**
 * "rsfe" | key_id (first 8 bytes of the server key) | client pubkey | nonce | mac | ciphertext (§4.4).
 * Pass `nm` from clientSharedKey() to skip the X25519; the same nm decrypts the reply.
 */
export function encryptRequest(plain: Uint8Array, serverPublicKey: PublicKeyInput, client: RawKeypair, nm?: Uint8Array): Buffer {
  const serverKey = toKey(serverPublicKey);
  const key = nm ?? sharedKey(serverKey, client.secretKey);
  const nonce = randomNonce();
  const { mac, ciphertext } = seal(plain, nonce, key);
  const out = Buffer.allocUnsafe(ENCRYPTED_HEADER_BYTES + ciphertext.length);
  ENCRYPTION_MAGIC.copy(out, 0);
  out.set(serverKey.subarray(0, WIRE_KEY_ID_BYTES), 4);
  out.set(client.publicKey, 12);
  nonce.copy(out, 44);
  out.set(mac, 44 + NONCE_BYTES);
  out.set(ciphertext, ENCRYPTED_HEADER_BYTES);
  return out;
}

/** Returns the plaintext reply (16 or 96 bytes for real servers); throws DecryptError on a short datagram or bad MAC. */
export function decryptReply(buf: Buffer, nm: Uint8Array): Buffer {
  if (buf.length < ENCRYPTED_REPLY_HEADER_BYTES + SHORT_REPLY_BYTES) {
    throw new DecryptError('short', `encrypted reply of ${buf.length} bytes`);
  }
  return open(
    buf.subarray(ENCRYPTED_REPLY_HEADER_BYTES),
    buf.subarray(NONCE_BYTES, NONCE_BYTES + MAC_BYTES),
    buf.subarray(0, NONCE_BYTES),
    nm,
  );
}
