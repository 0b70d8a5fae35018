import { describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { type GeneratedKeypair, generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { KeyRing } from '../../../server/src/keys/key-ring.js';
import type { KeyConfig, ServerKey } from '../../../server/src/keys/server-key.js';
import { DENSE_FLAGS, FO, HASHED_FLAGS, KeyFlagCounters, KO } from '../../../server/src/udp/key-flag-counters.js';
import { KeyFlagStats } from '../../../server/src/udp/key-flag-stats.js';
import { FIRST_KEY_ROW, KeySlotTable, OTHER_KEY_ROW, PLAINTEXT_ROW } from '../../../server/src/udp/key-slot-table.js';

const cfg = (kp: GeneratedKeypair, name: string): KeyConfig => ({
  privkey: kp.privkey,
  extensions: { name, rights: { read: true, write: true, delete: false } },
});
const keyOf = (ring: KeyRing, name: string): ServerKey => ring.list().find((k) => k.key.name === name)!.key;
const [a, b, c, d] = [generateKeypair(), generateKeypair(), generateKeypair(), generateKeypair()];

describe('KeySlotTable: a row per public key, the same on every thread, never reused', () => {
  it('gives rows in order, plaintext its own row, and a reader over the same buffer finds the same rows', () => {
    const ring = new KeyRing([cfg(a, 'a'), cfg(b, 'b')]);
    const owner = new KeySlotTable(true);
    expect(owner.rowOf(null)).toBe(PLAINTEXT_ROW);
    expect(owner.assign(keyOf(ring, 'a'))).toBe(FIRST_KEY_ROW);
    expect(owner.assign(keyOf(ring, 'b'))).toBe(FIRST_KEY_ROW + 1);
    // The reader's ring is its own copy (as a UDP thread's): other objects, the same public keys.
    const threadRing = new KeyRing([cfg(a, 'a'), cfg(b, 'b')]);
    const reader = new KeySlotTable(false, owner.buffer);
    expect(reader.rowOf(keyOf(threadRing, 'b'))).toBe(FIRST_KEY_ROW + 1);
    expect(reader.rowOf(keyOf(threadRing, 'a'))).toBe(FIRST_KEY_ROW);
    expect(() => reader.assign(keyOf(threadRing, 'a'))).toThrow(/main thread/);
  });

  it('a reader counts a key the main thread has not given a row yet as other, and finds its row once given', () => {
    const ring = new KeyRing([cfg(a, 'a')]);
    const owner = new KeySlotTable(true);
    const reader = new KeySlotTable(false, owner.buffer);
    expect(reader.rowOf(keyOf(ring, 'a'))).toBe(OTHER_KEY_ROW);
    owner.assign(keyOf(ring, 'a'));
    expect(reader.rowOf(keyOf(ring, 'a'))).toBe(FIRST_KEY_ROW);
  });

  it('past its capacity every new key counts as other; a key it knows keeps its row', () => {
    const ring = new KeyRing([cfg(a, 'a'), cfg(b, 'b'), cfg(c, 'c')]);
    const owner = new KeySlotTable(true, undefined, 2);
    expect(owner.assign(keyOf(ring, 'a'))).toBe(FIRST_KEY_ROW);
    expect(owner.assign(keyOf(ring, 'b'))).toBe(FIRST_KEY_ROW + 1);
    expect(owner.full).toBe(true);
    expect(owner.assign(keyOf(ring, 'c'))).toBe(OTHER_KEY_ROW);
    expect(owner.rowOf(keyOf(ring, 'c'))).toBe(OTHER_KEY_ROW);
    expect(owner.rowOf(keyOf(ring, 'a'))).toBe(FIRST_KEY_ROW);
    const reader = new KeySlotTable(false, owner.buffer);
    expect(reader.capacity).toBe(2);
    expect(reader.rowOf(keyOf(ring, 'c'))).toBe(OTHER_KEY_ROW);
  });

  it('a swapped-out key keeps its row, its successor gets a new one, and the key coming back gets its old one', () => {
    const ring = new KeyRing([cfg(a, 'a')], [cfg(b, 'b')]);
    const stats = new KeyFlagStats();
    stats.assignRing(ring);
    const oldB = keyOf(ring, 'b');
    ring.setDynamic([cfg(c, 'c')]);
    stats.assignRing(ring);
    // A WRITE by the old key, acknowledged after the swap: it counts for b, not for c, who came after it.
    stats.countKey(oldB, Command.Write, KO.ok);
    stats.countKey(keyOf(ring, 'c'), Command.Check, KO.ok);
    const rows = stats.keyRows(ring);
    expect(rows.map((r) => [r.row, r.key?.name ?? null, r.inRing])).toEqual([
      ['plaintext', null, true],
      ['key', 'a', true],
      ['key', 'c', true],
      ['key', 'b', false],
    ]);
    expect(rows[2].counts.check.ok).toBe(1);
    expect(rows[2].counts.write.ok).toBe(0);
    expect(rows[3].counts.write.ok).toBe(1);
    ring.setDynamic([cfg(b, 'b again'), cfg(d, 'd')]);
    stats.assignRing(ring);
    expect(stats.slots.rowOf(keyOf(ring, 'b again'))).toBe(stats.slots.rowOf(oldB));
    expect(stats.slots.rowOf(keyOf(ring, 'd'))).toBe(FIRST_KEY_ROW + 3);
    expect(stats.keyRows(ring).find((r) => r.key?.name === 'b again')?.counts.write.ok).toBe(1);
  });
});

describe('KeyFlagCounters and KeyFlagStats', () => {
  it('sums the main block and a thread block per key, command class and outcome', () => {
    const ring = new KeyRing([cfg(a, 'a')]);
    const stats = new KeyFlagStats();
    stats.assignRing(ring);
    const thread = new KeyFlagCounters(new KeySlotTable(false, stats.slots.buffer));
    stats.attach(thread.buffer);
    const threadKey = keyOf(new KeyRing([cfg(a, 'a')]), 'a');
    thread.countKey(threadKey, Command.Check, KO.ok);
    thread.countKey(threadKey, Command.Check, KO.miss);
    thread.countKey(null, Command.Check, KO.ratelimited);
    stats.countKey(keyOf(ring, 'a'), Command.Check, KO.expired);
    stats.countKey(keyOf(ring, 'a'), Command.Ping, KO.ok);
    stats.countKey(null, Command.Write, KO.forbidden);
    const [plain, keyA] = stats.keyRows(ring);
    expect(keyA.counts.check).toMatchObject({ ok: 1, miss: 1, expired: 1 });
    expect(keyA.counts.other.ok).toBe(1);
    expect(plain.counts.check.ratelimited).toBe(1);
    expect(plain.counts.write.forbidden).toBe(1);
    // A thread that ended: its counts stay (they are Prometheus counters), its block is no longer read.
    stats.detach(thread.buffer);
    thread.countKey(threadKey, Command.Check, KO.ok);
    expect(stats.keyRows(ring)[1].counts.check.ok).toBe(1);
  });

  it('small flags have fixed rows, large ones are merged by flag across threads, and past the table go to other', () => {
    const stats = new KeyFlagStats();
    const t1 = new KeyFlagCounters(stats.slots);
    const t2 = new KeyFlagCounters(stats.slots);
    stats.attach(t1.buffer);
    stats.attach(t2.buffer);
    stats.countFlag(1, FO.hits);
    t1.countFlag(1, FO.hits);
    t1.countFlag(0xffff_fffe, FO.writes);
    t2.countFlag(0xffff_fffe, FO.writes);
    t2.countFlag(DENSE_FLAGS, FO.refused);
    // Fill t1's hashed table: HASHED_FLAGS distinct large flags fit, the next one does not.
    for (let i = 1; i < HASHED_FLAGS; i++) t1.countFlag(1_000_000 + i, FO.deletes);
    t1.countFlag(5_000_000, FO.deletes);
    t1.countFlag(5_000_000, FO.deletes);
    const rows = stats.flagRows();
    const byFlag = new Map(rows.map((r) => [r.flag, r.counts]));
    expect(byFlag.get(1)).toEqual({ hits: 2, writes: 0, deletes: 0, refused: 0 });
    expect(byFlag.get(0xffff_fffe)?.writes).toBe(2);
    expect(byFlag.get(DENSE_FLAGS)?.refused).toBe(1);
    expect(byFlag.get(1_000_001)?.deletes).toBe(1);
    expect(byFlag.has(5_000_000)).toBe(false);
    expect(rows.at(-1)).toEqual({ flag: null, counts: { hits: 0, writes: 0, deletes: 2, refused: 0 } });
    // Sorted by flag, other last.
    expect(rows.slice(0, -1).map((r) => r.flag)).toEqual([...rows.slice(0, -1).map((r) => r.flag!)].sort((x, y) => x - y));
  });

  it('refuses a block of another size (a thread built against another table)', () => {
    const small = new KeySlotTable(true, undefined, 2);
    expect(() => new KeyFlagCounters(new KeySlotTable(true), new KeyFlagCounters(small).buffer)).toThrow(RangeError);
  });
});
