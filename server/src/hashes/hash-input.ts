import type { HashItem } from '../../../shared/api/api-types.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { ValidationError } from '../common/api-error.js';
import {
  optional,
  parseDigestHex,
  parseFlag,
  parseFlagParam,
  parseHexPrefix,
  parseIntField,
  parseIntParam,
  parseShingles,
  parseValue,
  rejectUnknownFields,
  requireObject,
} from '../common/validation.js';
import type { HashRowWithCount } from '../database/hash.repository.js';

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

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

/**
 * `POST /hashes` body or one import line. An exported line also carries `time`, which is accepted and ignored: a
 * WRITE always stamps the current time, as rspamd does.
 */
export function parseWriteInput(body: unknown, options: { allowTime?: boolean } = {}): WriteInput {
  const input = requireObject(body, options.allowTime ? 'line' : 'body');
  rejectUnknownFields(input, options.allowTime ? ['digest', 'flag', 'value', 'shingles', 'time'] : ['digest', 'flag', 'value', 'shingles']);
  if (options.allowTime) optional(input.time, (t) => parseIntField(t, 'time', 0, Number.MAX_SAFE_INTEGER));
  return {
    digest: parseDigestHex(input.digest),
    flag: parseFlag(input.flag),
    value: parseValue(input.value),
    shingles: input.shingles === undefined || input.shingles === null ? null : parseShingles(input.shingles),
  };
}

export function parsePatch(body: unknown): { flag?: number; value?: number } {
  const input = requireObject(body);
  rejectUnknownFields(input, ['flag', 'value']);
  const patch = { flag: optional(input.flag, (f) => parseFlag(f)), value: optional(input.value, (v) => parseValue(v)) };
  if (patch.flag === undefined && patch.value === undefined) throw new ValidationError('body', 'give flag, value or both');
  return patch;
}

export function parseListQuery(query: Record<string, unknown>, options: { paged: boolean }): ListQuery {
  rejectUnknownFields(query, options.paged ? ['flag', 'prefix', 'limit', 'cursor'] : ['flag', 'prefix']);
  return {
    flag: query.flag === undefined ? null : parseFlagParam(query.flag),
    prefix: query.prefix === undefined || query.prefix === '' ? '' : parseHexPrefix(query.prefix),
    limit: query.limit === undefined ? DEFAULT_PAGE : parseIntParam(query.limit, 'limit', 1, MAX_PAGE),
    cursor: query.cursor === undefined || query.cursor === '' ? null : parseDigestHex(query.cursor, 'cursor'),
  };
}

export function toHashItem(row: HashRowWithCount, flagName: string | null): HashItem {
  return {
    digest: row.digest.toString('hex'),
    flag: row.flag,
    flagName,
    value: row.value ?? 0,
    time: row.time ?? 0,
    shingles: row.shingles,
  };
}
