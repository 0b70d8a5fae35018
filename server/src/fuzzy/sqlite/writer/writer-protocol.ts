import type { FlagValue } from '../../../../../shared/protocol/types.js';
import type { UpdateStatus } from '../../fuzzy-backend.js';
import type { PackedResults } from './writer-result-codec.js';
import type { AuditBatch } from '../../../audit/audit-batch.js';

/** Messages between the main thread and the SQLite writer thread. */
export type WriterRequest =
  /** `audit`: who asked for each op, recorded in the same transaction (audit-schema.ts). */
  | { type: 'batch'; id: number; ops: Uint8Array; audit?: AuditBatch }
  | { type: 'purge'; id: number; now: number; expireSeconds: number; limit: number }
  /** Answered once every batch sent before it is applied to rspamd's tables (reads of the tables wait for it). */
  | { type: 'settle'; id: number }
  | { type: 'backlog'; id: number }
  | { type: 'close'; id: number };

export interface WriterResult {
  status: UpdateStatus;
  digest: Uint8Array;
  /** The primary slot and the others, as stored after the op. */
  flag: number;
  value: number;
  extraFlags: FlagValue[];
  /** Last write (rspamd's `time`) and first write (fuzzyd_digest_created), unix seconds; 0 when not stored. */
  time: number;
  created: number;
  /** For deleted hashes: the shingle positions they still owned, as (position, lo, hi) triples. */
  removedShingles: Uint32Array | null;
  /**
   * Shingle positions the hash owns after the op when the writer knows them without a read: a hash added by this op
   * or by one still in the journal (32 or 0). Null when they are those of its row in rspamd's tables.
   */
  shingles: number | null;
}

/** Acknowledged work the writer thread has not finished in rspamd's tables yet. */
export interface WriterBacklog {
  /** Update ops in the journal, not yet applied to `digests`. */
  journalOps: number;
  /** Hashes whose shingle rows are queued, not yet in `shingles`. */
  shingleHashes: number;
  /** The store's last failure (a commit or background work), until something succeeds again; null when healthy. */
  failure: string | null;
}

export type WriterResponse =
  | { type: 'ready' }
  /** The thread could not open the file; it exits after this. */
  | { type: 'unavailable'; message: string }
  | { type: 'done'; id: number; results: PackedResults }
  | { type: 'backlog'; id: number; backlog: WriterBacklog }
  | { type: 'failed'; id: number; message: string };
