import { type KeyExtensions, type KeyRateLimitText, type KeyRights, DEFAULT_KEY_RIGHTS } from './server-key.js';

/**
 * A keypair's `extensions { … }` object (docs/spec/access-controls.md §2.2), checked field by field. Every refusal is
 * a message about one field, for the caller to prefix with where the key is (config key, list position, name); values
 * are never quoted back, so no secret reaches a log through them.
 *
 * fuzzyd is stricter than rspamd, which logs and ignores an unknown operation, an unknown field or a bare number as
 * `forbidden_ids`: here each is refused, so a key never silently gets fewer (or more) rights than its admin wrote.
 */
export class KeyExtensionError extends Error {
  override readonly name = 'KeyExtensionError';
}

const FIELDS = new Set(['name', 'read_only', 'allowed_ops', 'expire', 'forbidden_ids', 'ratelimit']);
const OPERATIONS = ['read', 'write', 'delete'] as const;

export function parseKeyExtensions(value: unknown): KeyExtensions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyExtensionError('extensions must be an object');
  }
  const ext = value as Record<string, unknown>;
  for (const field of Object.keys(ext)) {
    if (!FIELDS.has(field)) throw new KeyExtensionError(`extensions.${field} is not a key extension (${[...FIELDS].join(', ')})`);
  }
  const out: KeyExtensions = { rights: parseRights(ext.read_only, ext.allowed_ops) };
  if (ext.name !== undefined) {
    if (typeof ext.name !== 'string' || ext.name === '') throw new KeyExtensionError('extensions.name must be a non-empty string');
    out.name = ext.name;
  }
  if (ext.expire !== undefined) out.expire = { text: String(ext.expire), at: parseExpireDate(ext.expire) };
  if (ext.forbidden_ids !== undefined) out.forbiddenIds = parseForbiddenIds(ext.forbidden_ids);
  if (ext.ratelimit !== undefined) out.ratelimit = parseRateLimit(ext.ratelimit);
  return out;
}

/** `read_only` first, then `allowed_ops` replacing everything (§2.2: when both are given, allowed_ops wins). */
function parseRights(readOnly: unknown, allowedOps: unknown): KeyRights {
  const rights = { ...DEFAULT_KEY_RIGHTS };
  if (readOnly !== undefined) {
    if (typeof readOnly !== 'boolean') throw new KeyExtensionError('extensions.read_only must be true or false');
    rights.write = !readOnly;
    rights.delete = !readOnly;
  }
  if (allowedOps !== undefined) {
    if (!Array.isArray(allowedOps)) {
      throw new KeyExtensionError(`extensions.allowed_ops must be a list of ${OPERATIONS.join(', ')}`);
    }
    const ops = allowedOps.map((op, i) => {
      const word = typeof op === 'string' ? op.toLowerCase() : '';
      if (!(OPERATIONS as readonly string[]).includes(word)) {
        throw new KeyExtensionError(`extensions.allowed_ops[${i}] must be one of ${OPERATIONS.join(', ')}`);
      }
      return word;
    });
    rights.read = ops.includes('read');
    rights.write = ops.includes('write');
    rights.delete = ops.includes('delete');
  }
  return rights;
}

/**
 * rspamd's `strptime("%d-%m-%Y")` then local-time `mktime` (§2.2): the start of that day, local time. A date that
 * does not exist (31-02-2026) is refused instead of rolling over, and so is any other text (rspamd would then use
 * whatever its uninitialised `struct tm` held).
 */
export function parseExpireDate(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(text);
  const fail = (): never => {
    throw new KeyExtensionError('extensions.expire must be a date DD-MM-YYYY');
  };
  if (!m) return fail();
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return fail();
  return date.getTime();
}

/** An array of 32-bit flag numbers (§6.1); rspamd ignores a bare number here, fuzzyd refuses it. */
function parseForbiddenIds(value: unknown): number[] {
  if (!Array.isArray(value)) throw new KeyExtensionError('extensions.forbidden_ids must be a list of flag numbers');
  return value.map((id, i) => {
    const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
      throw new KeyExtensionError(`extensions.forbidden_ids[${i}] must be a whole number from 0 to 4294967295`);
    }
    return n;
  });
}

const LIMIT_TEXT = /^\s*\d+(\.\d+)?\s*[kmg]?\s*\/\s*\d*(\.\d+)?\s*[smhd]?\s*$/i;
const LIMIT_AMOUNT = /^\d+(\.\d+)?[kmg]?$/i;

/** The shapes of rspamd's `parse_limit` (§4.5): `"N / T"`, `{ burst; rate }`, `[burst, rate]`. Checked, kept as written. */
function parseRateLimit(value: unknown): KeyRateLimitText {
  const fail = (): never => {
    throw new KeyExtensionError('extensions.ratelimit must be "N / T", { burst = …; rate = …; } or [burst, rate]');
  };
  const amount = (v: unknown): boolean =>
    (typeof v === 'number' && v >= 0) || (typeof v === 'string' && (LIMIT_AMOUNT.test(v.trim()) || LIMIT_TEXT.test(v)));
  if (typeof value === 'string') return LIMIT_TEXT.test(value) ? value : fail();
  if (Array.isArray(value)) {
    const [burst, rate] = value;
    return value.length === 2 && typeof burst === 'number' && typeof rate === 'number' && burst >= 0 && rate >= 0 ? [burst, rate] : fail();
  }
  if (typeof value === 'object' && value !== null) {
    const { burst, rate, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !amount(burst) || !amount(rate)) return fail();
    return { burst: burst as number | string, rate: rate as number | string };
  }
  return fail();
}
