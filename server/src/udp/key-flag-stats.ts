import type { KeyRing } from '../keys/key-ring.js';
import type { ServerKey } from '../keys/server-key.js';
import {
  emptyTotals,
  FLAG_OUTCOMES,
  KEY_CELLS,
  KEY_COMMANDS,
  KEY_OUTCOMES,
  KeyFlagCounters,
  type KeyFlagSink,
  type KeyFlagTotals,
} from './key-flag-counters.js';
import { FIRST_KEY_ROW, type KeyRowInfo, KeySlotTable, OTHER_KEY_ROW, PLAINTEXT_ROW } from './key-slot-table.js';

/** A key row's counts: [command class][outcome], as KEY_COMMANDS × KEY_OUTCOMES. */
export type KeyCounts = Record<(typeof KEY_COMMANDS)[number], Record<(typeof KEY_OUTCOMES)[number], number>>;
export type FlagCounts = Record<(typeof FLAG_OUTCOMES)[number], number>;

export interface KeyStatsRow {
  row: 'key' | 'plaintext' | 'other';
  /** The key of a `key` row (as last seen in the ring), and whether it is in the ring now. */
  key: KeyRowInfo | null;
  inRing: boolean;
  counts: KeyCounts;
}

export interface FlagStatsRow {
  /** null: the `other` row (flags past the per-thread table, docs/spec/access-controls.md §11). */
  flag: number | null;
  counts: FlagCounts;
}

/**
 * The per-key and per-flag counts of every thread that handles requests (this thread's `local` block, used by the
 * main thread's handler and TCP, plus each UDP thread's), summed when read; the main thread's half of
 * key-flag-counters.ts. Owns the key slot table, so it gives key rows: `assignRing` when the ring changes, before
 * the UDP threads see the new keys.
 */
export class KeyFlagStats implements KeyFlagSink {
  readonly slots = new KeySlotTable(true);
  readonly local = new KeyFlagCounters(this.slots);
  private readonly attached = new Map<SharedArrayBuffer, KeyFlagCounters>();
  /** What blocks of ended threads had counted: the totals are Prometheus counters and never go down. */
  private readonly retired = emptyTotals(this.slots.rowCount);

  /** Gives every key of the ring a row (one it had keeps it). */
  assignRing(ring: KeyRing): void {
    for (const { key } of ring.list()) this.slots.assign(key);
  }

  /** A UDP thread's block (made there over `slots.buffer`) from now on. */
  attach(buffer: SharedArrayBuffer): void {
    if (!this.attached.has(buffer)) this.attached.set(buffer, new KeyFlagCounters(this.slots, buffer));
  }

  /** Stops reading a block; what it counted stays. */
  detach(buffer: SharedArrayBuffer): void {
    const block = this.attached.get(buffer);
    if (!block) return;
    block.addTo(this.retired);
    this.attached.delete(buffer);
  }

  countKey(key: ServerKey | null, cmd: number, outcome: number): void {
    this.local.countKey(key, cmd, outcome);
  }

  countFlag(flag: number, outcome: number): void {
    this.local.countFlag(flag, outcome);
  }

  /**
   * Plaintext first, then every key of the ring in ring order (with zeros if unused), then keys that left the ring
   * but have counts, then `other` when it has any.
   */
  keyRows(ring: KeyRing): KeyStatsRow[] {
    // With UDP on the main thread nothing else gives a key added since its row; a listing catches up.
    this.assignRing(ring);
    const totals = this.totals();
    const inRing = new Set<number>();
    const rows: KeyStatsRow[] = [{ row: 'plaintext', key: null, inRing: true, counts: countsOf(totals, PLAINTEXT_ROW) }];
    for (const { key } of ring.list()) {
      const row = this.slots.find(key.publicKey);
      if (row === undefined || inRing.has(row)) continue;
      inRing.add(row);
      rows.push({ row: 'key', key: { id: key.id, pubkey: key.pubkey, name: key.name, source: key.source }, inRing: true, counts: countsOf(totals, row) });
    }
    for (let row = FIRST_KEY_ROW; row < FIRST_KEY_ROW + this.slots.assigned; row++) {
      if (inRing.has(row) || !hasCounts(totals, row)) continue;
      rows.push({ row: 'key', key: this.slots.rowInfo(row) ?? null, inRing: false, counts: countsOf(totals, row) });
    }
    if (hasCounts(totals, OTHER_KEY_ROW)) rows.push({ row: 'other', key: null, inRing: false, counts: countsOf(totals, OTHER_KEY_ROW) });
    return rows;
  }

  /** Flags with any count, by flag number, then `other` when it has any. */
  flagRows(): FlagStatsRow[] {
    const totals = this.totals();
    const rows: FlagStatsRow[] = [...totals.flags].sort(([a], [b]) => a - b).map(([flag, c]) => ({ flag, counts: flagCountsOf(c) }));
    if (totals.otherFlag.some((n) => n > 0)) rows.push({ flag: null, counts: flagCountsOf(totals.otherFlag) });
    return rows;
  }

  private totals(): KeyFlagTotals {
    const totals = emptyTotals(this.slots.rowCount);
    totals.keys.set(this.retired.keys);
    for (const [flag, c] of this.retired.flags) totals.flags.set(flag, c.slice());
    totals.otherFlag.set(this.retired.otherFlag);
    this.local.addTo(totals);
    for (const block of this.attached.values()) block.addTo(totals);
    return totals;
  }
}

function countsOf(totals: KeyFlagTotals, row: number): KeyCounts {
  const at = row * KEY_CELLS;
  return Object.fromEntries(
    KEY_COMMANDS.map((command, c) => [
      command,
      Object.fromEntries(KEY_OUTCOMES.map((outcome, o) => [outcome, totals.keys[at + c * KEY_OUTCOMES.length + o]])),
    ]),
  ) as KeyCounts;
}

function hasCounts(totals: KeyFlagTotals, row: number): boolean {
  for (let i = row * KEY_CELLS; i < (row + 1) * KEY_CELLS; i++) if (totals.keys[i] > 0) return true;
  return false;
}

function flagCountsOf(c: Float64Array): FlagCounts {
  return Object.fromEntries(FLAG_OUTCOMES.map((o, i) => [o, c[i]])) as FlagCounts;
}
