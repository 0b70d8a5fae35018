/**
 * Silence is part of the protocol (spec §5.1, fuzzy-notes §4.3): whatever arrives, the decoders either return a
 * well-formed value or throw their own typed error — never a RangeError from a Buffer read, never a hang.
 */
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, MalformedReplyError, MalformedRequestError } from '../../../shared/protocol/codec.js';
import { DecryptError, FuzzyCrypto } from '../../../shared/protocol/cryptobox.js';
import { TEST_SERVER_KEYPAIR } from './spec-examples.js';
import { loadVectors } from './vectors.js';

/** mulberry32: a seeded PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (next() * 256) | 0;
  return b;
}

function expectRequestOutcome(buf: Buffer): 'ok' | 'dropped' {
  try {
    const req = decodeRequest(buf);
    expect([2, 3, 4, 5]).toContain(req.protocol);
    expect([16, 96, 144]).toContain(req.reply);
    expect(req.digest).toHaveLength(64);
    if (req.shingles) expect(req.shingles.toBigInts()).toHaveLength(32);
    return 'ok';
  } catch (err) {
    if (!(err instanceof MalformedRequestError)) throw err;
    return 'dropped';
  }
}

const requests = loadVectors()
  .flatMap((f) => f.datagrams)
  .filter((d) => d.dir === 'C->S')
  .map((d) => d.bytes);

describe('decodeRequest robustness', () => {
  it('random datagrams of every size up to 1100 bytes', () => {
    const next = rng(1);
    const seen = { ok: 0, dropped: 0 };
    for (let i = 0; i < 4000; i++) {
      const buf = randomBytes(next, (next() * 1100) | 0);
      // Give a quarter of them a plausible header so the deeper rules get exercised too.
      if (buf.length > 3 && i % 4 === 0) {
        buf[0] = 2 + (i % 3);
        buf[2] = i % 8 === 0 ? 0 : 32;
      }
      seen[expectRequestOutcome(buf)]++;
    }
    expect(seen.dropped).toBeGreaterThan(0);
  });

  it('every truncation of every captured request', () => {
    let ok = 0;
    for (const req of requests) {
      for (let n = 0; n <= req.length; n++) if (expectRequestOutcome(req.subarray(0, n)) === 'ok') ok++;
    }
    expect(ok).toBeGreaterThan(requests.length); // v4 requests stay valid when cut after the body or an extension
  });

  it('0x00, 0xff and random tails on captured requests', () => {
    const next = rng(2);
    for (const req of requests) {
      for (let n = 1; n <= 40; n += 3) {
        for (const tail of [Buffer.alloc(n, 0), Buffer.alloc(n, 0xff), randomBytes(next, n)]) {
          expectRequestOutcome(Buffer.concat([req, tail]));
        }
      }
    }
  });

  it('an all-zero tail after a v4 body is always accepted (padding, §4.3), an 0xff tail never', () => {
    // A request whose extensions end at an unknown type ignores whatever follows it, 0xff included.
    const v4 = requests.filter((r) => r[0] === 4 && expectRequestOutcome(r) === 'ok' && !decodeRequest(r).extensions.skipped);
    expect(v4.length).toBeGreaterThan(10);
    for (const req of v4) {
      expect(expectRequestOutcome(Buffer.concat([req, Buffer.alloc(7)]))).toBe('ok');
      expect(expectRequestOutcome(Buffer.concat([req, Buffer.alloc(7, 0xff)]))).toBe('dropped');
    }
  });

  it('single-byte mutations of captured requests', () => {
    const next = rng(3);
    for (const req of requests) {
      for (let i = 0; i < 60; i++) {
        const b = Buffer.from(req);
        b[(next() * b.length) | 0] = (next() * 256) | 0;
        expectRequestOutcome(b);
      }
    }
  });
});

describe('decodeReply and decryptRequest robustness', () => {
  it('decodeReply throws only MalformedReplyError', () => {
    const next = rng(4);
    for (let i = 0; i < 500; i++) {
      const n = [16, 96][i % 2] + (i % 5 === 0 ? ((next() * 7) | 0) - 3 : 0);
      try {
        decodeReply(randomBytes(next, Math.max(0, n)));
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedReplyError);
      }
    }
  });

  it('decryptRequest throws only DecryptError on random rsfe datagrams, including all-zero client keys', async () => {
    const crypto = await FuzzyCrypto.create([TEST_SERVER_KEYPAIR]);
    const next = rng(5);
    for (let i = 0; i < 300; i++) {
      const buf = randomBytes(next, 150 + ((next() * 300) | 0));
      buf.write('rsfe', 0, 'latin1');
      if (i % 10 === 0) buf.fill(0, 12, 44); // a low-order point: libsodium refuses the key exchange
      expect(() => crypto.decryptRequest(buf)).toThrow(DecryptError);
    }
  });
});
