import {
  HASH_PAGE_DEFAULT,
  type HashCreate,
  type HashExportQuery,
  type HashFlag,
  HashFlagValue,
  HashImportLine,
  type HashItem,
  type HashListQuery,
  type HashPatch,
} from '../../../shared/api/api-types.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { FlagValue } from '../../../shared/protocol/types.js';
import { ValidationError } from '../common/api-error.js';
import { decodeDigest, decodeFlagList, decodeOptionalShingles } from '../common/payload-decode.js';
import { checkPayload } from '../common/schema-input.js';
import type { HashRowWithCount } from '../fuzzy/hash-catalogue.js';

/**
 * The hash payloads as the store takes them, decoded from their shared/api schemas (checked by the route's
 * SchemaPipe, or per line by readImportLine) plus the rules between fields that a schema does not state.
 */
export interface WriteInput {
  digest: Buffer;
  flag: number;
  value: number;
  shingles: ShingleBlock | null;
}

export interface ListQuery {
  flag: number | null;
  prefix: string;
  limit: number;
  cursor: Buffer | null;
}

/** One import line: the primary slot, plus every slot when the line lists them (`flags`). */
export interface ImportInput extends WriteInput {
  /** Every slot, primary first (= flag/value), when the line has `flags`; null for a line with only flag/value. */
  flags: FlagValue[] | null;
}

export interface PatchInput {
  flag?: number;
  value?: number;
  flags?: FlagValue[];
}

/** `POST /hashes` body. */
export function decodeWrite(body: HashCreate): WriteInput {
  return { digest: decodeDigest(body.digest), flag: body.flag, value: body.value, shingles: decodeOptionalShingles(body.shingles) };
}

/**
 * One import line: `flag` and `value` (the format before multi-flag hashes), or `flags`, or both as an export writes
 * them, in which case they must agree (a hand-edited line that changed one of them is refused, not guessed at). An
 * exported line also carries `time`, which is accepted and ignored: a WRITE always stamps the current time, as
 * rspamd does.
 */
export function readImportLine(line: unknown): ImportInput {
  const input = checkPayload(HashImportLine, line, 'line');
  const digest = decodeDigest(input.digest);
  const shingles = decodeOptionalShingles(input.shingles);
  if (input.flags === undefined) {
    // Without `flags`, both halves of the primary slot are required.
    const slot = checkPayload(HashFlagValue, { flag: input.flag, value: input.value }, 'line');
    return { digest, ...slot, flags: null, shingles };
  }
  const flags = decodeFlagList(input.flags);
  if (input.flag !== undefined && input.flag !== flags[0].flag) throw new ValidationError('flag', `must equal flags[0].flag (${flags[0].flag}), or be left out`);
  if (input.value !== undefined && input.value !== flags[0].value) throw new ValidationError('value', `must equal flags[0].value (${flags[0].value}), or be left out`);
  return { digest, flag: flags[0].flag, value: flags[0].value, flags, shingles };
}

/** `PATCH /hashes/{digest}`: `flags` (every slot), or `flag` and/or `value` (the primary slot). */
export function decodePatch(body: HashPatch): PatchInput {
  if (body.flags !== undefined) {
    if (body.flag !== undefined || body.value !== undefined) {
      throw new ValidationError('flags', 'give flags (every slot) or flag/value (the primary slot), not both');
    }
    return { flags: decodeFlagList(body.flags) };
  }
  if (body.flag === undefined && body.value === undefined) throw new ValidationError('body', 'give flags, or flag, value or both');
  return { flag: body.flag, value: body.value };
}

/** `GET /hashes` and `GET /hashes/export` queries (checked by checkQuery); export reads every page at once. */
export function decodeListQuery(query: HashListQuery | HashExportQuery): ListQuery {
  const page: HashListQuery = query;
  return {
    flag: page.flag ?? null,
    prefix: (page.prefix ?? '').toLowerCase(),
    limit: page.limit ?? HASH_PAGE_DEFAULT,
    cursor: page.cursor ? decodeDigest(page.cursor) : null,
  };
}

export type FlagNames = (flag: number) => string | null;

/** Every slot with its flag's name, primary first. */
export function hashFlags(slots: readonly FlagValue[], nameOf: FlagNames): HashFlag[] {
  return slots.map((s) => ({ flag: s.flag, value: s.value, flagName: nameOf(s.flag) }));
}

export function toHashItem(row: HashRowWithCount, nameOf: FlagNames): HashItem {
  const value = row.value ?? 0;
  return {
    digest: row.digest.toString('hex'),
    flag: row.flag,
    flagName: nameOf(row.flag),
    value,
    flags: hashFlags([{ flag: row.flag, value }, ...row.extraFlags], nameOf),
    time: row.time ?? 0,
    shingles: row.shingles,
  };
}
