import type { UpdateStatus } from '../fuzzy-backend.js';
import type { PackedResults } from './writer-result-codec.js';

/** Messages between the main thread and the SQLite writer thread. */
export type WriterRequest =
  | { type: 'batch'; id: number; ops: Uint8Array }
  | { type: 'purge'; id: number; now: number; expireSeconds: number; limit: number }
  | { type: 'close'; id: number };

export interface WriterResult {
  status: UpdateStatus;
  digest: Uint8Array;
  flag: number;
  value: number;
  time: number;
  /** For deleted hashes: the shingle positions they still owned, as (position, lo, hi) triples. */
  removedShingles: Uint32Array | null;
}

export type WriterResponse =
  | { type: 'ready' }
  | { type: 'done'; id: number; results: PackedResults }
  | { type: 'failed'; id: number; message: string };
