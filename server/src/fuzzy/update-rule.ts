import { MAX_FLAGS_PER_HASH } from '../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { FlagValue } from '../../../shared/protocol/types.js';
import type { UpdateOp, UpdateStatus } from './fuzzy-backend.js';

/**
 * The one WRITE rule of every backend (docs/spec/fuzzy-storage.md §2.4, §3.4). A hash's flags are a list of at most 8
 * (flag, value) slots, the first of which is the primary slot: what rspamd's tables hold in `flag`/`value`, what a
 * 3.x client gets, and (after a multi-flag write) the highest value.
 *
 * Two rules, chosen by the client's generation, so each client sees the storage of its own generation:
 * - `single` (clients that read one-flag replies, rspamd 3.x): rspamd 3.4's rule. The same flag as the primary adds
 *   the value; another flag re-flags the hash, resetting the value (spec §2.4). Extra slots written by 4.x clients
 *   stay, except one holding the new flag, so a flag is never listed twice.
 * - `multi` (clients that read multi-flag replies, rspamd ≥ 4.0): rspamd 4.x's fuzzy_update.lua. A slot with the
 *   flag adds the value; a new flag takes a free slot; with all 8 taken it replaces the lowest value if it is larger
 *   (strictly); then the highest value is swapped into the primary slot. Ties keep the earlier slot, where rspamd's
 *   Lua leaves the order to table iteration.
 *
 * Values saturate at the signed 32-bit range the wire carries, instead of wrapping into the opposite sign.
 */
export type WriteRule = 'single' | 'multi';

export interface RuleOutcome {
  status: Exclude<UpdateStatus, 'deleted' | 'not-found'>;
  flags: FlagValue[];
}

const I32_MAX = 0x7fffffff;
const I32_MIN = -0x80000000;

export function clampValue(value: number): number {
  return value > I32_MAX ? I32_MAX : value < I32_MIN ? I32_MIN : value;
}

/**
 * The hash's flags after a WRITE of (flag, value); `current` is empty for a hash not stored yet. A `weak` WRITE (its
 * flag is in rspamd's `weak_ids`, docs/spec/access-controls.md §6.3) never displaces another flag: under `single` it
 * adds its value to the primary slot and leaves the flag (rspamd 3.x's Redis HSETNX + HINCRBY), under `multi` it takes
 * only a free slot and never evicts one (rspamd 4.x).
 */
export function applyWrite(current: readonly FlagValue[], flag: number, value: number, rule: WriteRule, weak = false): RuleOutcome {
  if (current.length === 0) return { status: 'added', flags: [{ flag, value: clampValue(value) }] };
  const flags = current.map((s) => ({ flag: s.flag, value: s.value }));
  if (rule === 'single') {
    if (flags[0].flag === flag || weak) {
      flags[0].value = clampValue(flags[0].value + value);
      return { status: 'updated', flags };
    }
    const rest = flags.slice(1).filter((s) => s.flag !== flag);
    return { status: 'reflagged', flags: [{ flag, value: clampValue(value) }, ...rest] };
  }
  let status: RuleOutcome['status'] = 'updated';
  const same = flags.findIndex((s) => s.flag === flag);
  if (same >= 0) {
    flags[same].value = clampValue(flags[same].value + value);
  } else if (flags.length < MAX_FLAGS_PER_HASH) {
    flags.push({ flag, value: clampValue(value) });
    status = 'reflagged';
  } else if (!weak) {
    let lowest = 0;
    for (let i = 1; i < flags.length; i++) if (flags[i].value < flags[lowest].value) lowest = i;
    if (value > flags[lowest].value) {
      flags[lowest] = { flag, value: clampValue(value) };
      status = 'reflagged';
    }
  }
  let highest = 0;
  for (let i = 1; i < flags.length; i++) if (flags[i].value > flags[highest].value) highest = i;
  if (highest !== 0) [flags[0], flags[highest]] = [flags[highest], flags[0]];
  return { status, flags };
}

/**
 * The shingles a change stores with its hash: a WRITE's, and only when it added the digest. A stored hash keeps the
 * shingles it was added with, as in rspamd (spec §2.4); DELs and admin edits bring none.
 */
export function shinglesStored(op: UpdateOp, status: UpdateStatus): ShingleBlock | null {
  return op.kind === 'write' && status === 'added' ? op.shingles : null;
}

/** An admin edit: the whole list replaced (first = primary), or the primary slot's flag and/or value changed. */
export interface FlagEdit {
  flags?: readonly FlagValue[];
  flag?: number;
  value?: number;
}

export function applyEdit(current: readonly FlagValue[], edit: FlagEdit): RuleOutcome {
  let flags: FlagValue[];
  if (edit.flags) {
    flags = edit.flags.map((s) => ({ flag: s.flag, value: clampValue(s.value) }));
  } else {
    flags = current.map((s) => ({ flag: s.flag, value: s.value }));
    const primary = { flag: edit.flag ?? flags[0].flag, value: clampValue(edit.value ?? flags[0].value) };
    flags = [primary, ...flags.slice(1).filter((s) => s.flag !== primary.flag)];
  }
  return { status: sameFlags(current, flags) ? 'updated' : 'reflagged', flags };
}

function sameFlags(a: readonly FlagValue[], b: readonly FlagValue[]): boolean {
  return a.length === b.length && a.every((s, i) => s.flag === b[i].flag);
}

/** Problems with a flag list an admin sent, or null: 1..8 slots, flags 0..255 without repeats. */
export function flagListError(flags: readonly FlagValue[]): string | null {
  if (flags.length === 0) return 'must hold at least one flag';
  if (flags.length > MAX_FLAGS_PER_HASH) return `holds ${flags.length} flags, at most ${MAX_FLAGS_PER_HASH} are allowed`;
  const seen = new Set<number>();
  for (const s of flags) {
    if (seen.has(s.flag)) return `lists flag ${s.flag} twice`;
    seen.add(s.flag);
  }
  return null;
}
