/** rspamd's zbase32 (spec §9.1): the §9.5 keypair must round-trip and be a real curve25519 pair. */
import { describe, expect, it } from 'vitest';
import { sodium } from '../../../shared/protocol/sodium.js';
import { zbase32Decode, zbase32Encode } from '../../../shared/protocol/zbase32.js';
import { TEST_CLIENT_PUBKEY, TEST_SERVER_KEYPAIR, TEST_WIRE_KEY_ID } from './spec-examples.js';

describe('zbase32', () => {
  const sk = zbase32Decode(TEST_SERVER_KEYPAIR.privkey);
  const pk = zbase32Decode(TEST_SERVER_KEYPAIR.pubkey);

  it('decodes the §9.5 keys to 32 bytes each, the public key starting with the documented key_id', () => {
    expect(sk).toHaveLength(32);
    expect(pk).toHaveLength(32);
    expect(pk.subarray(0, 8).toString('hex')).toBe(TEST_WIRE_KEY_ID);
  });

  it('X25519 base multiplication of the decoded private key gives the decoded public key', () => {
    expect(Buffer.from(sodium.crypto_scalarmult_base(sk)).equals(pk)).toBe(true);
  });

  it('re-encodes to the same strings', () => {
    expect(zbase32Encode(sk)).toBe(TEST_SERVER_KEYPAIR.privkey);
    expect(zbase32Encode(pk)).toBe(TEST_SERVER_KEYPAIR.pubkey);
    expect(zbase32Encode(zbase32Decode(TEST_CLIENT_PUBKEY))).toBe(TEST_CLIENT_PUBKEY);
  });

  it('takes bits least-significant first (not RFC 4648, not standard z-base-32 order)', () => {
    // 0x01 -> value 1 ('b') then 0; 0x20 -> low 5 bits 0 ('y'), then 1 ('b').
    expect(zbase32Encode(Buffer.from([0x01]))).toBe('by');
    expect(zbase32Encode(Buffer.from([0x20]))).toBe('yb');
    expect(zbase32Encode(Buffer.from([0xff, 0xff]))).toBe('999b');
  });

  it('gives 52 characters for 32 bytes and 103 for 64', () => {
    expect(zbase32Encode(Buffer.alloc(32, 0xa5))).toHaveLength(52);
    expect(zbase32Encode(Buffer.alloc(64, 0x5a))).toHaveLength(103);
  });

  it('round-trips arbitrary lengths', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(zbase32Decode(zbase32Encode(bytes)).equals(bytes)).toBe(true);
    }
  });

  it.each(['M8kn', 'abc0', 'l', 'v', 'ab=', 'é'])('rejects %j (only the 32 lowercase characters)', (text) => {
    expect(() => zbase32Decode(text)).toThrow(/invalid zbase32 character/);
  });
});
