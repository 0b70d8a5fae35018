/**
 * The benchmark's data: a deterministic set of stored hashes, the SQLite file both servers start from (rspamd's
 * layout, spec/fuzzy-storage.md §2.3), and the request files the load generator replays.
 */
import { writeFileSync } from 'node:fs';
import { Command, DIGEST_BYTES, SHINGLE_BLOCK_BYTES, SHINGLE_COUNT } from '../../shared/protocol/constants.js';
import { encodeRequest } from '../../shared/protocol/codec.js';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';

/** What the generator checks each reply against (loadgen.c). */
export enum Expect {
  Miss = 0,
  Exact = 1,
  Fuzzy = 2,
  Ack = 3,
}

/** xoshiro128**: fast, seedable, and the same stream on every run, so both servers see the same data. */
export class Prng {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads a small seed over the whole state
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i + 4 <= n; i += 4) out.writeUInt32LE(this.u32(), i);
    for (let i = n - (n % 4); i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The stored hashes: digest i is `digests[64i..]`, its shingles `shingles[256i..]`. */
export interface Dataset {
  count: number;
  digests: Buffer;
  shingles: Buffer;
}

export function makeDataset(count: number, seed: number): Dataset {
  const prng = new Prng(seed);
  return { count, digests: prng.bytes(count * DIGEST_BYTES), shingles: prng.bytes(count * SHINGLE_BLOCK_BYTES) };
}

export const digestOf = (d: Dataset, i: number): Buffer => d.digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
export const shinglesOf = (d: Dataset, i: number): Buffer =>
  d.shingles.subarray(i * SHINGLE_BLOCK_BYTES, (i + 1) * SHINGLE_BLOCK_BYTES);

/**
 * Writes the dataset into a fresh file in rspamd 3.4's layout, as its own worker would have: digest bytes bound as
 * TEXT, shingles as signed 64-bit integers, time = now, one `local` source. Flags 1..3, weights 1..100.
 */
export function writePreloadDb(path: string, d: Dataset): void {
  const db = openFuzzyDatabase(path, { durability: 'normal' });
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const now = Math.floor(Date.now() / 1000);
  // Bulk load without the shingle indexes, then build them once: random (value, number) keys inserted one by one
  // into the unique index cost ~4x the time. Random 64-bit values never collide, so nothing needs replacing.
  db.exec('DROP INDEX IF EXISTS s; DROP INDEX IF EXISTS dgst_id;');
  const insertDigest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
  const insertShingle = db.prepare('INSERT INTO shingles(value, number, digest_id) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < d.count; i++) {
      const id = insertDigest.run(1 + (i % 3), digestOf(d, i), 1 + (i % 100), now).lastInsertRowid;
      const block = shinglesOf(d, i);
      for (let k = 0; k < SHINGLE_COUNT; k++) insertShingle.run(block.readBigInt64LE(k * 8), k, id);
    }
    db.prepare("INSERT OR REPLACE INTO sources(name, version, last) VALUES ('local', 1, ?)").run(now);
  })();
  db.exec(PRELOAD_INDEXES);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The two indexes of spec §2.3 dropped during the bulk load, as rspamd's schema script creates them. */
const PRELOAD_INDEXES = `
CREATE INDEX IF NOT EXISTS dgst_id ON shingles(digest_id);
CREATE UNIQUE INDEX IF NOT EXISTS s ON shingles(value, number);
`;

interface RequestRecord {
  datagram: Buffer;
  expect: Expect;
}

/** The generator's input: "FZLG", u32 count, then (u16 length, u8 expectation, u8 0, datagram) per record. */
function writeRequestFile(path: string, records: RequestRecord[]): void {
  const size = 8 + records.reduce((n, r) => n + 4 + r.datagram.length, 0);
  const out = Buffer.alloc(size);
  out.write('FZLG', 0, 'ascii');
  out.writeUInt32LE(records.length, 4);
  let off = 8;
  for (const r of records) {
    out.writeUInt16LE(r.datagram.length, off);
    out[off + 2] = r.expect;
    r.datagram.copy(out, off + 4);
    off += 4 + r.datagram.length;
  }
  writeFileSync(path, out);
}

// The generator overwrites the tag of every datagram it sends.
const check = (digest: Buffer, shingles: Buffer | null): Buffer =>
  encodeRequest({ cmd: Command.Check, tag: 0, digest, shingles: shingles ? new ShingleBlock(shingles) : null });

/** CHECKs without shingles: half digests that are stored (exact hits), half random ones (misses), shuffled. */
export function writeCheckPlainRequests(path: string, d: Dataset, n: number, seed: number): void {
  const prng = new Prng(seed);
  const records: RequestRecord[] = [];
  for (let i = 0; i < n; i++) {
    records.push(
      prng.below(2) === 0
        ? { datagram: check(digestOf(d, prng.below(d.count)), null), expect: Expect.Exact }
        : { datagram: check(prng.bytes(DIGEST_BYTES), null), expect: Expect.Miss },
    );
  }
  writeRequestFile(path, records);
}

/** Positions a near-duplicate changes: 29 of 32 slots still match, a hit on both backends (spec §5.3). */
export const CHANGED_POSITIONS = 3;

/**
 * CHECKs with 32 shingles, a third each: a stored digest with its shingles (exact hit, the digest lookup answers),
 * a random digest with a stored hash's shingles, 3 positions changed (shingle-only hit: the vote runs), and a random
 * digest with random shingles (full miss: 32 shingle lookups that find nothing).
 */
export function writeCheckShingleRequests(path: string, d: Dataset, n: number, seed: number): void {
  const prng = new Prng(seed);
  const records: RequestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const kind = prng.below(3);
    const stored = prng.below(d.count);
    if (kind === 0) {
      records.push({ datagram: check(digestOf(d, stored), shinglesOf(d, stored)), expect: Expect.Exact });
    } else if (kind === 1) {
      const block = Buffer.from(shinglesOf(d, stored));
      for (let c = 0; c < CHANGED_POSITIONS; c++) {
        prng.bytes(8).copy(block, prng.below(SHINGLE_COUNT) * 8);
      }
      records.push({ datagram: check(prng.bytes(DIGEST_BYTES), block), expect: Expect.Fuzzy });
    } else {
      records.push({ datagram: check(prng.bytes(DIGEST_BYTES), prng.bytes(SHINGLE_BLOCK_BYTES)), expect: Expect.Miss });
    }
  }
  writeRequestFile(path, records);
}

/**
 * One WRITE template (flag 1, weight 1), with or without shingles. The generator runs it with --unique-seed, which
 * gives every send a new digest and new shingles, so each WRITE is an insert.
 */
export function writeWriteTemplate(path: string, withShingles: boolean, seed: number): void {
  const prng = new Prng(seed);
  const datagram = encodeRequest({
    cmd: Command.Write,
    flag: 1,
    value: 1,
    tag: 0,
    digest: prng.bytes(DIGEST_BYTES),
    shingles: withShingles ? new ShingleBlock(prng.bytes(SHINGLE_BLOCK_BYTES)) : null,
  });
  writeRequestFile(path, [{ datagram, expect: Expect.Ack }]);
}

/** A single CHECK of `digest`, for "is the last acknowledged WRITE visible yet?". */
export function checkDatagram(digest: Buffer, tag: number): Buffer {
  return encodeRequest({ cmd: Command.Check, tag, digest });
}
