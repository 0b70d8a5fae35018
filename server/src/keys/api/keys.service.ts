import { Inject, Injectable } from '@nestjs/common';
import type { KeyCreate, KeyCreated, KeyInfo, KeyPatch } from '../../../../shared/api/api-types.js';
import { KeyFormatError } from '../../../../shared/protocol/errors.js';
import { ValidationError } from '../../common/api-error.js';
import { decodeText } from '../../common/payload-decode.js';
import { parseKeyLimit } from '../../ratelimit/key-limit.js';
import { RUNTIME, type Runtime } from '../../runtime.js';
import { KEY_ID } from '../allow-update-keys.js';
import { KeyExtensionError } from '../key-extensions.js';
import type { ServerKey } from '../server-key.js';
import { fuzzyServerAddress, rspamdRule } from './rspamd-rule.js';

/** rspamd's extension names → the API's field names, so a refusal names what the admin sent. */
const FIELDS: Readonly<Record<string, string>> = {
  name: 'name',
  allowed_ops: 'allowedOps',
  read_only: 'allowedOps',
  expire: 'expire',
  forbidden_ids: 'forbiddenIds',
  ratelimit: 'ratelimit',
};

/**
 * The server keys as the admin API shows and changes them: public halves, rights and limits, never a private key
 * (save the one answer to the POST that generated it). Options arrive in the API's names and are handed on as
 * rspamd's `extensions` object, so they pass the very check a keypair block of the configuration passes
 * (key-extensions.ts).
 */
@Injectable()
export class KeysService {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  list(now = Date.now()): KeyInfo[] {
    return this.runtime.keys.list().map(({ key, isDefault }) => this.info(key, isDefault, now));
  }

  async create(body: KeyCreate, httpHost: string | undefined): Promise<KeyCreated> {
    const extensions = withOptions({}, { allowedOps: ['read'], ...body, name: decodeText(body.name, 'name') });
    const created = await restErrors(() => this.runtime.adminKeys.create(extensions, body.keypair ?? null));
    const server = fuzzyServerAddress(this.runtime.udp.boundAddresses[0], httpHost);
    return {
      key: this.info(created.key, false),
      privkey: created.privkey,
      rspamdRule: rspamdRule({ name: created.key.name ?? 'key', pubkey: created.key.pubkey, server, mayWrite: created.key.rights.write }),
    };
  }

  async patch(id: string, body: KeyPatch): Promise<KeyInfo> {
    checkId(id);
    const { disabled, ...options } = body;
    const admin = this.runtime.adminKeys;
    let key: ServerKey | null = null;
    if (Object.keys(options).length > 0) {
      const changed = { ...options, ...(options.name !== undefined ? { name: decodeText(options.name, 'name') } : {}) };
      // 404 for an unknown id and 409 for a static or dynamic key, before anything changes (disabled included).
      key = await restErrors(() => admin.update(id, (stored) => withOptions(stored, changed)));
    }
    if (disabled !== undefined) key = await admin.setDisabled(id, disabled);
    return this.info(key!, this.runtime.keys.list().some((k) => k.isDefault && k.key.id === id));
  }

  async remove(id: string): Promise<void> {
    checkId(id);
    await this.runtime.adminKeys.remove(id);
  }

  private info(key: ServerKey, isDefault: boolean, now = Date.now()): KeyInfo {
    return {
      id: key.id,
      pubkey: key.pubkey,
      name: key.name,
      source: key.source,
      default: isDefault,
      rights: { ...key.rights },
      allowUpdate: this.runtime.allowUpdateKeys.has(key.id),
      expireAt: key.expireAt === null ? null : new Date(key.expireAt).toISOString(),
      expired: key.expireAt !== null && now >= key.expireAt,
      forbiddenIds: key.forbiddenIds ? [...key.forbiddenIds] : null,
      ratelimit: parseKeyLimit(key.ratelimit),
      disabled: key.disabled,
    };
  }
}

type KeyOptions = Omit<KeyPatch, 'disabled'>;

/** `base` (rspamd's extensions object) with the options given applied; null clears an option. */
function withOptions(base: Record<string, unknown>, o: KeyOptions): Record<string, unknown> {
  const ext = { ...base };
  if (o.name !== undefined) ext.name = o.name;
  if (o.allowedOps !== undefined) {
    delete ext.read_only;
    ext.allowed_ops = o.allowedOps;
  }
  const set = (field: string, value: unknown): void => {
    if (value === null) delete ext[field];
    else if (value !== undefined) ext[field] = value;
  };
  // rspamd's expire is DD-MM-YYYY; the API takes the ISO order an HTML date field gives.
  set('expire', typeof o.expire === 'string' ? o.expire.split('-').reverse().join('-') : o.expire);
  set('forbidden_ids', o.forbiddenIds);
  set('ratelimit', typeof o.ratelimit === 'string' ? o.ratelimit.trim() : o.ratelimit);
  return ext;
}

function checkId(id: string): void {
  if (!KEY_ID.test(id)) throw new ValidationError('id', 'must be a key id (103 zbase32 characters, as GET /keys lists it)');
}

/** A refused extension or keypair, told as the API field it came from; never quoting key material. */
async function restErrors<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof KeyExtensionError) {
      const m = /^extensions\.([a-z_]+)/.exec(err.message);
      const field = FIELDS[m?.[1] ?? ''] ?? 'body';
      const what = m?.[1] === 'expire' ? 'is not a date that exists (YYYY-MM-DD)' : m?.[1] === 'ratelimit' ? 'must be "N / T", e.g. "1000 / 1h"' : err.message.replace(/^extensions\.\S+\s*/, '');
      throw new ValidationError(field, what);
    }
    if (err instanceof KeyFormatError) throw new ValidationError('keypair', 'privkey/pubkey are not a valid curve25519 keypair in the given encoding');
    throw err;
  }
}
