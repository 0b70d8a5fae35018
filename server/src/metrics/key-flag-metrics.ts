import type { KeyRing } from '../keys/key-ring.js';
import { type FlagOutcome, KEY_COMMANDS, KEY_OUTCOMES } from '../udp/key-flag-counters.js';

const FLAG_OUTCOME_LABELS: Record<FlagOutcome, string> = { hits: 'hit', writes: 'added', deletes: 'deleted', refused: 'refused' };
import type { KeyFlagStats } from '../udp/key-flag-stats.js';
import { PUBKEY_START } from '../udp/key-slot-table.js';
import type { SnapshotMetrics, SnapshotValue } from './snapshot-metrics.js';

/** Outcomes as the series name them: a CHECK's `ok` is a hit, a WRITE's an add, a DEL's a delete or not_found. */
function outcomeLabel(command: (typeof KEY_COMMANDS)[number], outcome: (typeof KEY_OUTCOMES)[number]): string {
  if (outcome === 'ok') return { check: 'hit', write: 'added', del: 'deleted', other: 'ok' }[command];
  if (outcome === 'miss' && command === 'del') return 'not_found';
  return outcome;
}

/**
 * `fuzzyd_key_requests_total{key,name,command,outcome}` and `fuzzyd_flag_requests_total{flag,outcome}`. Label sets
 * are bounded by the tables (key-slot-table.ts MAX_STAT_KEYS rows plus `plaintext` and `other`; flags: 256 fixed
 * rows plus a 64-slot table per thread, then `other`), and only series with a count are written.
 */
export function addKeyFlagMetrics(snapshots: SnapshotMetrics, stats: KeyFlagStats, ring: KeyRing): void {
  snapshots.add(
    'fuzzyd_key_requests_total',
    'Requests per server key (key: start of its public key; plaintext and other are rows of their own), command and outcome',
    'counter',
    () =>
      stats.keyRows(ring).flatMap(({ row, key, counts }) => {
        const keyLabels = row === 'key' && key ? { key: key.pubkey.slice(0, PUBKEY_START), name: key.name ?? '' } : { key: row, name: '' };
        const values: SnapshotValue[] = [];
        for (const command of KEY_COMMANDS) {
          for (const outcome of KEY_OUTCOMES) {
            const value = counts[command][outcome];
            if (value > 0) values.push({ labels: { ...keyLabels, command, outcome: outcomeLabel(command, outcome) }, value });
          }
        }
        return values;
      }),
  );
  snapshots.add('fuzzyd_flag_requests_total', 'Requests per flag: CHECK replies showing it, WRITEs and DELs committed, WRITEs and DELs refused', 'counter', () =>
    stats.flagRows().flatMap(({ flag, counts }) =>
      Object.entries(counts)
        .filter(([, value]) => value > 0)
        .map(([outcome, value]) => ({ labels: { flag: flag ?? 'other', outcome: FLAG_OUTCOME_LABELS[outcome as FlagOutcome] }, value })),
    ),
  );
}
