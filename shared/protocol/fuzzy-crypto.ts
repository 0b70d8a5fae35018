/** Server side of fuzzy encryption: detect, pick the server key, decrypt requests, encrypt replies (§4.4, §5.1, §6.3). */
import {
  ENCRYPTED_HEADER_BYTES,
  ENCRYPTED_REPLY_HEADER_BYTES,
  ENCRYPTION_MAGIC,
  MAX_DATAGRAM_BYTES,
  MIN_ENCRYPTED_BYTES,
} from './constants.js';
import { MAC_BYTES, NONCE_BYTES, open, randomNonce, seal, sharedKey } from './crypto-cipher.js';
import { type KeypairConfig, type ServerKeypair, loadServerKeypair, WIRE_KEY_ID_BYTES } from './crypto-keys.js';
import { DecryptError } from './errors.js';
import { LruCache } from './lru-cache.js';

const MAGIC_END = 4;
const KEY_ID_END = MAGIC_END + WIRE_KEY_ID_BYTES; // 12
const CLIENT_PK_END = KEY_ID_END + 32; // 44
const NONCE_END = CLIENT_PK_END + NONCE_BYTES; // 68
/** rspamd's `keypair_cache_size` default (§9.2). */
export const DEFAULT_NM_CACHE_SIZE = 512;

/**
 * Finds the server key a request was encrypted to from the 8-byte key id of its header (§5.1.2), or null when no key
 * fits (the datagram is then dropped). The server decides the order (static, dynamic, default); this module stays pure.
 */
export type ServerKeyLookup<K extends ServerKeypair> = (wireId: Buffer) => K | null;

export interface DecryptedRequest<K extends ServerKeypair = ServerKeypair> {
  /** The plaintext request, to be parsed exactly like an unencrypted datagram. */
  plain: Buffer;
  /** Shared key; the reply must be encrypted with it (§6.3). */
  nm: Uint8Array;
  /** The server key used: `allow_update_keys` matches on its `id` (§7), and its rights apply. */
  keypair: K;
  clientPublicKey: Buffer;
}

/** A datagram is encrypted when it is at least 160 bytes and starts with "rsfe" (§4.4). Version bytes are never 'r'. */
export function isEncrypted(buf: Buffer): boolean {
  return (
    buf.length >= MIN_ENCRYPTED_BYTES &&
    buf[0] === ENCRYPTION_MAGIC[0] &&
    buf[1] === ENCRYPTION_MAGIC[1] &&
    buf[2] === ENCRYPTION_MAGIC[2] &&
    buf[3] === ENCRYPTION_MAGIC[3]
  );
}

export class FuzzyCrypto<K extends ServerKeypair = ServerKeypair> {
  private readonly cache: LruCache<string, Uint8Array>;

  constructor(
    private readonly lookup: ServerKeyLookup<K>,
    cacheSize = DEFAULT_NM_CACHE_SIZE,
  ) {
    this.cache = new LruCache(cacheSize);
  }

  /**
   * Fixed keys: the one whose public key starts with key_id, otherwise the LAST one, as 3.4 does (§5.1.2). Async only
   * for symmetry with libsodium's readiness; importing this module already waits for it.
   */
  static async create(configs: readonly KeypairConfig[], cacheSize = DEFAULT_NM_CACHE_SIZE): Promise<FuzzyCrypto> {
    const keys = configs.map(loadServerKeypair);
    const lookup = (wireId: Buffer): ServerKeypair | null => keys.find((k) => k.wireId.equals(wireId)) ?? keys.at(-1) ?? null;
    return new FuzzyCrypto(lookup, cacheSize);
  }

  get cachedSharedKeys(): number {
    return this.cache.size;
  }

  isEncrypted(buf: Buffer): boolean {
    return isEncrypted(buf);
  }

  /**
   * Throws DecryptError; the server then drops the datagram without a reply (§5.1.2). Like decodeRequest, it only
   * sees the first 1024 bytes (§1), so a longer encrypted datagram fails its MAC exactly as on 3.4.
   */
  decryptRequest(datagram: Buffer): DecryptedRequest<K> {
    const buf = datagram.length > MAX_DATAGRAM_BYTES ? datagram.subarray(0, MAX_DATAGRAM_BYTES) : datagram;
    if (!isEncrypted(buf)) throw new DecryptError('not-encrypted', 'no rsfe header');
    const keypair = this.lookup(buf.subarray(MAGIC_END, KEY_ID_END));
    if (!keypair) throw new DecryptError('no-keys', 'no server key for this key id, and no default key');
    const clientPublicKey = buf.subarray(KEY_ID_END, CLIENT_PK_END);
    const nm = this.sharedKeyFor(keypair, clientPublicKey);
    const plain = open(buf.subarray(ENCRYPTED_HEADER_BYTES), buf.subarray(NONCE_END, NONCE_END + MAC_BYTES), buf.subarray(CLIENT_PK_END, NONCE_END), nm);
    return { plain, nm, keypair, clientPublicKey: Buffer.from(clientPublicKey) };
  }

  encryptReply(plainReply: Uint8Array, nm: Uint8Array): Buffer {
    return encryptWithHeader(plainReply, nm);
  }

  private sharedKeyFor(keypair: ServerKeypair, clientPublicKey: Buffer): Uint8Array {
    // X25519 costs far more than a lookup, and real clients reuse one key per rule until restart (§4.4).
    const cacheKey = keypair.pubkey + clientPublicKey.toString('latin1');
    let nm = this.cache.get(cacheKey);
    if (nm === undefined) {
      nm = sharedKey(clientPublicKey, keypair.secretKey);
      this.cache.set(cacheKey, nm);
    }
    return nm;
  }
}

/** nonce(24) | mac(16) | ciphertext: the reply layout of §6.3. */
export function encryptWithHeader(plain: Uint8Array, nm: Uint8Array): Buffer {
  const nonce = randomNonce();
  const { mac, ciphertext } = seal(plain, nonce, nm);
  const out = Buffer.allocUnsafe(ENCRYPTED_REPLY_HEADER_BYTES + ciphertext.length);
  nonce.copy(out, 0);
  out.set(mac, NONCE_BYTES);
  out.set(ciphertext, ENCRYPTED_REPLY_HEADER_BYTES);
  return out;
}
