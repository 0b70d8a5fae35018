import type { UpdateOp } from '../../fuzzy-backend.js';
import type { FuzzyIndex } from '../../memory/fuzzy-index.js';
import { shinglesStored } from '../../update-rule.js';
import type { WriterResult } from '../writer/writer-protocol.js';

/**
 * A commit's results, in order. On `replay` (onto an index rebuilt meanwhile, which may hold an added hash without
 * its still-queued shingles) an added hash takes its shingle positions even when the index has the digest already.
 */
export function applyToIndex(index: FuzzyIndex, results: WriterResult[], ops: UpdateOp[] | null, { replay = false } = {}): void {
  results.forEach((r, i) => {
    const digest = Buffer.from(r.digest.buffer, r.digest.byteOffset, r.digest.byteLength);
    if (r.status === 'deleted') {
      const removed = r.removedShingles ?? new Uint32Array(0);
      const owned = [];
      for (let k = 0; k < removed.length; k += 3) owned.push({ position: removed[k], lo: removed[k + 1], hi: removed[k + 2] });
      index.remove(digest, owned);
    } else if (r.status !== 'not-found') {
      const op = ops?.[i];
      const shingles = op ? shinglesStored(op, r.status) : null;
      index.upsert({ digest, flag: r.flag, value: r.value, time: r.time, extraFlags: r.extraFlags }, shingles, r.created);
      if (replay && shingles) index.takeShingles(digest, shingles);
    }
  });
}
