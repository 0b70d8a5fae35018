import { Inject, Injectable } from '@nestjs/common';
import type { KeyInfo } from '../../../../shared/api/api-types.js';
import { RUNTIME, type Runtime } from '../../runtime.js';

/** The server keys as the admin API shows them: public halves, rights and limits, never a private key. */
@Injectable()
export class KeysService {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  list(now = Date.now()): KeyInfo[] {
    return this.runtime.keys.list().map(({ key, isDefault }) => ({
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
    }));
  }
}
