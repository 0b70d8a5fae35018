import { DIGEST_BYTES } from '../../../../../shared/protocol/constants.js';
import type { UpdateStatus } from '../../fuzzy-backend.js';
import type { WriterResult } from './writer-protocol.js';

/**
 * Commit results cross back from the writer thread packed like the ops that went in: structured-cloning a result
 * object per write, each with its own Uint8Array (a fresh ArrayBuffer per clone), made the main thread's garbage
 * collector pause for many milliseconds under a write stream, and those pauses delay every CHECK.
 */
const RECORD_BYTES = 32 + DIGEST_BYTES;
const CREATED_AT = 24;
const DIGEST_AT = 32;
const EXTRA_COUNT_AT = 4;
const SHINGLES_AT = 5;
/** `shingles` null: those of the table row. */
const TABLE_SHINGLES = 0xff;
const STATUSES: readonly UpdateStatus[] = ['added', 'updated', 'reflagged', 'deleted', 'not-found'];
const STATUS_CODES = new Map(STATUSES.map((s, i) => [s, i]));

export interface PackedResults {
  records: Uint8Array;
  /** (position, lo, hi) triples of all deleted hashes, in result order. */
  shingles: Uint32Array;
  /** (flag, value) pairs of the extra slots of all results, in result order; each record says how many it has. */
  extraFlags: Float64Array;
}

export function packResults(results: readonly WriterResult[]): PackedResults {
  const records = Buffer.alloc(results.length * RECORD_BYTES);
  const triples = results.reduce((n, r) => n + (r.removedShingles?.length ?? 0), 0);
  const shingles = new Uint32Array(triples);
  const extraFlags = new Float64Array(2 * results.reduce((n, r) => n + r.extraFlags.length, 0));
  let at = 0;
  let extraAt = 0;
  results.forEach((r, i) => {
    const base = i * RECORD_BYTES;
    records[base] = STATUS_CODES.get(r.status)!;
    records[base + 1] = r.flag;
    records.writeUInt16LE(r.removedShingles ? r.removedShingles.length / 3 : 0xffff, base + 2);
    records[base + EXTRA_COUNT_AT] = r.extraFlags.length;
    records[base + SHINGLES_AT] = r.shingles ?? TABLE_SHINGLES;
    for (const s of r.extraFlags) {
      extraFlags[extraAt++] = s.flag;
      extraFlags[extraAt++] = s.value;
    }
    records.writeDoubleLE(r.value, base + 8);
    records.writeDoubleLE(r.time, base + 16);
    records.writeDoubleLE(r.created, base + CREATED_AT);
    records.set(r.digest.subarray(0, DIGEST_BYTES), base + DIGEST_AT);
    if (r.removedShingles) {
      shingles.set(r.removedShingles, at);
      at += r.removedShingles.length;
    }
  });
  return { records, shingles, extraFlags };
}

export function unpackResults(packed: PackedResults): WriterResult[] {
  const records = Buffer.from(packed.records.buffer, packed.records.byteOffset, packed.records.byteLength);
  const out: WriterResult[] = [];
  let at = 0;
  let extraAt = 0;
  for (let base = 0; base + RECORD_BYTES <= records.length; base += RECORD_BYTES) {
    const extraFlags = [];
    for (let n = records[base + EXTRA_COUNT_AT]; n > 0; n--, extraAt += 2) {
      extraFlags.push({ flag: packed.extraFlags[extraAt], value: packed.extraFlags[extraAt + 1] });
    }
    const removed = records.readUInt16LE(base + 2);
    const removedShingles = removed === 0xffff ? null : packed.shingles.subarray(at, at + removed * 3);
    if (removedShingles) at += removedShingles.length;
    const shingles = records[base + SHINGLES_AT];
    out.push({
      status: STATUSES[records[base]],
      flag: records[base + 1],
      value: records.readDoubleLE(base + 8),
      extraFlags,
      time: records.readDoubleLE(base + 16),
      created: records.readDoubleLE(base + CREATED_AT),
      digest: records.subarray(base + DIGEST_AT, base + RECORD_BYTES),
      removedShingles,
      shingles: shingles === TABLE_SHINGLES ? null : shingles,
    });
  }
  return out;
}
