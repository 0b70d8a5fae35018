import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AccessSettingItem, AccessSettingName, AccessSettingsPatch, AccessSettingValue } from '../../../../shared/api/access-settings.js';
import { NotFoundError, ValidationError } from '../../common/api-error.js';
import type { Logger } from '../../common/logger.js';
import { OneAtATime } from '../../common/one-at-a-time.js';
import { AccessSettingEntity } from '../../database/entities/access-setting.entity.js';
import { LOGGER, RUNTIME, type Runtime } from '../../runtime.js';
import { accessSettingSpec, fromApiValue } from './access-setting-catalog.js';
import type { AccessSettings } from './access-settings.js';

/**
 * The admin API's access settings, stored in `fuzzyd_access_settings` and put in force through AccessSettings. A
 * change is checked whole, committed, and only then applied, so a refused or failed PATCH changes nothing. The stored
 * values are applied again at every start, over the file and the environment, by bootstrap.ts before the UDP sockets
 * open (stored-access-settings.ts).
 */
@Injectable()
export class AccessSettingsService {
  /** Changes run one at a time, so two concurrent PATCHes cannot apply a set that misses one of them. */
  private readonly serial = new OneAtATime();
  private readonly settings: AccessSettings;

  constructor(
    @InjectRepository(AccessSettingEntity) private readonly repo: Repository<AccessSettingEntity>,
    @Inject(RUNTIME) runtime: Runtime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = runtime.accessSettings;
  }

  list(): AccessSettingItem[] {
    return this.settings.items();
  }

  /** Sets the values given, and returns to file/env those given as null; all or nothing. */
  patch(body: AccessSettingsPatch): Promise<AccessSettingItem[]> {
    const entries = Object.entries(body).filter(([, v]) => v !== undefined) as [AccessSettingName, AccessSettingValue][];
    if (entries.length === 0) throw new ValidationError('body', 'must name at least one setting');
    const now = Date.now();
    // Every value through its setting's parser before anything is stored: the first bad one is the 400.
    const parsed = entries.map(([name, json]) => {
      const spec = accessSettingSpec(name)!;
      return json === null ? { name, json, reset: true as const } : { name, json, reset: false as const, value: fromApiValue(spec, json) };
    });
    return this.serial.run(async () => {
      await this.repo.manager.transaction(async (m) => {
        for (const p of parsed) {
          if (p.reset) await m.delete(AccessSettingEntity, { name: p.name });
          else await m.save(AccessSettingEntity, { name: p.name, value: JSON.stringify(p.json), updatedAt: now });
        }
      });
      const next = new Map(this.settings.restValues());
      for (const p of parsed) {
        if (p.reset) next.delete(p.name);
        else next.set(p.name, { value: p.value, updatedAt: now });
      }
      this.settings.setRestValues(next);
      this.logger.info(
        { set: parsed.filter((p) => !p.reset).map((p) => p.name), reset: parsed.filter((p) => p.reset).map((p) => p.name) },
        'access settings changed over the admin API',
      );
      return this.settings.items();
    });
  }

  /** `DELETE /access/settings/:name`: back to the file/env value. */
  async reset(name: string): Promise<AccessSettingItem> {
    const spec = accessSettingSpec(name);
    if (!spec) throw new NotFoundError(`no access setting '${name.slice(0, 64)}'`);
    const items = await this.patch({ [spec.name]: null });
    return items.find((i) => i.name === spec.name)!;
  }
}
