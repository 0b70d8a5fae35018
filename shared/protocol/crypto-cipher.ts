/**
 * rspamd's "cryptobox" cipher in curve25519 mode (spec/fuzzy-protocol.md §9.2, §9.3). It is NOT libsodium's
 * secretbox/box construction: the Poly1305 key is the first half of XChaCha20 keystream block 0 and the payload is
 * XORed from block 1 on. One stream call over [64 zero bytes | payload] yields both, saving a second HChaCha20.
 */
import { randomBytes } from 'node:crypto';
import { DecryptError } from './errors.js';
import { sodium } from './sodium.js';

export const NONCE_BYTES = 24;
export const MAC_BYTES = 16;
const BLOCK_BYTES = 64;
const POLY_KEY_BYTES = 32;

/** nm = HChaCha20(X25519(ownSecret, peerPublic), 0^16), identical to libsodium's xchacha20 box beforenm (§9.2). */
export function sharedKey(peerPublicKey: Uint8Array, ownSecretKey: Uint8Array): Uint8Array {
  try {
    return sodium.crypto_box_curve25519xchacha20poly1305_beforenm(peerPublicKey, ownSecretKey);
  } catch (err) {
    // libsodium refuses low-order points (an all-zero shared secret): a forged or broken client key.
    throw new DecryptError('key', `cannot derive a shared key: ${(err as Error).message}`);
  }
}

export function randomNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

export interface Sealed {
  mac: Uint8Array;
  ciphertext: Uint8Array;
}

/** [64 zero bytes | data]; allocUnsafe from Node's pool is ~1 µs cheaper per datagram than a fresh Uint8Array. */
function blockZeroThen(data: Uint8Array): Buffer {
  const work = Buffer.allocUnsafe(BLOCK_BYTES + data.length);
  work.fill(0, 0, BLOCK_BYTES);
  work.set(data, BLOCK_BYTES);
  return work;
}

export function seal(plain: Uint8Array, nonce: Uint8Array, nm: Uint8Array): Sealed {
  const work = blockZeroThen(plain);
  const stream = sodium.crypto_stream_xchacha20_xor_ic(work, nonce, 0, nm);
  const ciphertext = stream.subarray(BLOCK_BYTES);
  const mac = sodium.crypto_onetimeauth(ciphertext, stream.subarray(0, POLY_KEY_BYTES));
  return { mac, ciphertext };
}

/** Verifies the MAC in constant time (libsodium's verify) and only then releases the plaintext. */
export function open(ciphertext: Uint8Array, mac: Uint8Array, nonce: Uint8Array, nm: Uint8Array): Buffer {
  const work = blockZeroThen(ciphertext);
  const stream = sodium.crypto_stream_xchacha20_xor_ic(work, nonce, 0, nm);
  if (!sodium.crypto_onetimeauth_verify(mac, ciphertext, stream.subarray(0, POLY_KEY_BYTES))) {
    throw new DecryptError('mac', 'Poly1305 tag does not match');
  }
  return Buffer.from(stream.buffer, stream.byteOffset + BLOCK_BYTES, ciphertext.length);
}
