import { Command } from '../../../shared/protocol/constants.js';
import type { ServerKey } from '../keys/server-key.js';
import type { KeySlotTable } from './key-slot-table.js';

/**
 * Per-key and per-flag request counts of one thread, in one SharedArrayBuffer like udp-counters.ts: the thread is
 * the block's only writer (plain increments, no Atomics, nothing allocated), the main thread sums the blocks when
 * someone reads (key-flag-stats.ts). What is counted mirrors rspamd's fuzzystat (docs/spec/access-controls.md §11).
 *
 * Keys: one row per KeySlotTable row (plaintext, other, then each key), each a command class × outcome matrix.
 * Flags are uint32: flags 0..DENSE_FLAGS-1 have a row each; any other flag takes a row of a small open-addressed
 * table whose keys are stored in the block itself (so every thread fills its own, and the reader merges by flag);
 * once that is full a flag counts in the `other` row.
 */

/** Command classes of a key row: CHECK, WRITE, DEL, and everything else (PING, STAT, unknown codes). */
export const KEY_COMMANDS = ['check', 'write', 'del', 'other'] as const;
export type KeyCommand = (typeof KEY_COMMANDS)[number];

/**
 * How a request of a key ended. `ok`: a CHECK hit, a WRITE applied, a DEL that removed the hash, a PING or STAT
 * answered; `miss`: a CHECK miss (delayed and forbidden hits included, as the client sees them) or a DEL of a hash
 * that was not there. `forbidden`: refused by rights, read_only, allow_update or encrypted_only; `expired`: a CHECK
 * to an expired key; `ratelimited`; `overloaded`: a full write queue or a full queue to the main thread;
 * `skipped`: skip_hashes; `error`: the store failed.
 */
export const KEY_OUTCOMES = ['ok', 'miss', 'ratelimited', 'forbidden', 'expired', 'overloaded', 'skipped', 'error'] as const;
export type KeyOutcome = (typeof KEY_OUTCOMES)[number];
/** The outcomes by index, for call sites on the hot path (no string lookups there). */
export const KO = Object.freeze({ ok: 0, miss: 1, ratelimited: 2, forbidden: 3, expired: 4, overloaded: 5, skipped: 6, error: 7 } as const) satisfies Record<KeyOutcome, number>;
export const KEY_CELLS = KEY_COMMANDS.length * KEY_OUTCOMES.length;

/** Per flag: CHECK replies that showed it, WRITEs of it applied, DELs naming it applied, its WRITEs/DELs refused. */
export const FLAG_OUTCOMES = ['hits', 'writes', 'deletes', 'refused'] as const;
export type FlagOutcome = (typeof FLAG_OUTCOMES)[number];
export const FO = Object.freeze({ hits: 0, writes: 1, deletes: 2, refused: 3 } as const) satisfies Record<FlagOutcome, number>;

/** Flags with a fixed row (rspamd's fuzzy_map flags are small numbers). */
export const DENSE_FLAGS = 256;
/** Rows for other flags, per thread (a power of two: the probe masks). */
export const HASHED_FLAGS = 64;
const HASH_SHIFT = 32 - Math.log2(HASHED_FLAGS);
const FLAG_ROWS = DENSE_FLAGS + HASHED_FLAGS + 1;
export const OTHER_FLAG_ROW = FLAG_ROWS - 1;

/** Float64 offsets in a block of `keyRows` key rows. */
export function blockLayout(keyRows: number): { keys: number; flagKeys: number; flags: number; size: number } {
  const keys = 0;
  const flagKeys = keys + keyRows * KEY_CELLS;
  const flags = flagKeys + HASHED_FLAGS;
  return { keys, flagKeys, flags, size: flags + FLAG_ROWS * FLAG_OUTCOMES.length };
}

/** What the request handler counts into; NO_KEY_FLAG_COUNTS where nobody reads them (tests, tools). */
export interface KeyFlagSink {
  countKey(key: ServerKey | null, cmd: number, outcome: number): void;
  countFlag(flag: number, outcome: number): void;
}

export const NO_KEY_FLAG_COUNTS: KeyFlagSink = { countKey: () => {}, countFlag: () => {} };

/** A refused request of its key; a refused WRITE or DEL also of its flag (a CHECK's request flag means nothing). */
export function countRefused(sink: KeyFlagSink, cmd: number, flag: number, key: ServerKey | null, outcome: number): void {
  sink.countKey(key, cmd, outcome);
  if (cmd === Command.Write || cmd === Command.Del) sink.countFlag(flag, FO.refused);
}

/** A committed WRITE or DEL (a DEL that found nothing is its key's `miss`, and still its flag's delete, as in rspamd). */
export function countApplied(sink: KeyFlagSink, cmd: number, flag: number, key: ServerKey | null, found: boolean): void {
  sink.countKey(key, cmd, found ? KO.ok : KO.miss);
  sink.countFlag(flag, cmd === Command.Write ? FO.writes : FO.deletes);
}

/** Every flag a CHECK reply showed (rspamd ≥ 4.0 multi-flag replies carry several; rspamd counts the first only). */
export function countHitFlags(sink: KeyFlagSink, flag: number, extraFlags: readonly { flag: number }[]): void {
  sink.countFlag(flag, FO.hits);
  for (let i = 0; i < extraFlags.length; i++) sink.countFlag(extraFlags[i].flag, FO.hits);
}

/** Sums of blocks (key-flag-stats.ts): the key cells as in a block, flags merged by flag number. */
export interface KeyFlagTotals {
  keys: Float64Array;
  flags: Map<number, Float64Array>;
  otherFlag: Float64Array;
}

export function emptyTotals(keyRows: number): KeyFlagTotals {
  return { keys: new Float64Array(keyRows * KEY_CELLS), flags: new Map(), otherFlag: new Float64Array(FLAG_OUTCOMES.length) };
}

export class KeyFlagCounters implements KeyFlagSink {
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Float64Array;
  private readonly layout: ReturnType<typeof blockLayout>;

  /** A new zeroed block for this thread, or (main thread) a view of a block another thread writes. */
  constructor(
    private readonly slots: KeySlotTable,
    buffer?: SharedArrayBuffer,
  ) {
    this.layout = blockLayout(slots.rowCount);
    const bytes = this.layout.size * Float64Array.BYTES_PER_ELEMENT;
    this.buffer = buffer ?? new SharedArrayBuffer(bytes);
    if (this.buffer.byteLength !== bytes) throw new RangeError(`a key/flag counter block is ${bytes} bytes, got ${this.buffer.byteLength}`);
    this.cells = new Float64Array(this.buffer);
  }

  countKey(key: ServerKey | null, cmd: number, outcome: number): void {
    // CHECK, WRITE and DEL are codes 0, 1, 2 (the class index); everything else is `other`.
    const command = cmd <= Command.Del ? cmd : 3;
    this.cells[this.layout.keys + this.slots.rowOf(key) * KEY_CELLS + command * KEY_OUTCOMES.length + outcome]++;
  }

  countFlag(flag: number, outcome: number): void {
    this.cells[this.layout.flags + this.flagRow(flag) * FLAG_OUTCOMES.length + outcome]++;
  }

  /** Adds this block to `totals` (made by emptyTotals with the same number of key rows). */
  addTo(totals: KeyFlagTotals): void {
    const { keys, flagKeys, flags } = this.layout;
    const keyCells = totals.keys.length;
    for (let i = 0; i < keyCells; i++) totals.keys[i] += this.cells[keys + i];
    const addFlag = (flag: number, row: number): void => {
      let sum = totals.flags.get(flag);
      for (let o = 0; o < FLAG_OUTCOMES.length; o++) {
        const n = this.cells[flags + row * FLAG_OUTCOMES.length + o];
        if (n === 0) continue;
        if (!sum) totals.flags.set(flag, (sum = new Float64Array(FLAG_OUTCOMES.length)));
        sum[o] += n;
      }
    };
    for (let flag = 0; flag < DENSE_FLAGS; flag++) addFlag(flag, flag);
    for (let h = 0; h < HASHED_FLAGS; h++) {
      // The writer stores a slot's flag (+1) before it counts in it; a slot read as empty has no counts yet.
      const stored = this.cells[flagKeys + h];
      if (stored !== 0) addFlag(stored - 1, DENSE_FLAGS + h);
    }
    for (let o = 0; o < FLAG_OUTCOMES.length; o++) totals.otherFlag[o] += this.cells[flags + OTHER_FLAG_ROW * FLAG_OUTCOMES.length + o];
  }

  /** A flag's row in this block; a new large flag takes a free hashed slot (linear probing), none left: `other`. */
  private flagRow(flag: number): number {
    if (flag < DENSE_FLAGS) return flag;
    const stored = flag + 1;
    const base = this.layout.flagKeys;
    let h = Math.imul(flag, 0x9e3779b1) >>> HASH_SHIFT;
    for (let probe = 0; probe < HASHED_FLAGS; probe++, h = (h + 1) & (HASHED_FLAGS - 1)) {
      const at = this.cells[base + h];
      if (at === stored) return DENSE_FLAGS + h;
      if (at === 0) {
        this.cells[base + h] = stored;
        return DENSE_FLAGS + h;
      }
    }
    return OTHER_FLAG_ROW;
  }
}
