import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { NetworkItem, NetworkListName } from '../../../shared/api/api-types.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/api-error.js';
import type { Logger } from '../common/logger.js';
import { OneAtATime } from '../common/one-at-a-time.js';
import type { AppConfig } from '../config/app-config.js';
import { NetworkEntity } from '../database/entities/network.entity.js';
import { ACCESS_POLICY, CONFIG, LOGGER } from '../runtime.js';
import type { AccessPolicy } from '../udp/access-policy.js';
import { InvalidNetworkError, type NetworkEntry, parseNetwork } from '../udp/network-list.js';

const CONFIG_NAMES: Record<NetworkListName, string> = { 'allow-update': 'FUZZYD_ALLOW_UPDATE', blocked: 'FUZZYD_BLOCKED' };
const CONFIG_ID = /^config-(\d+)$/;

/**
 * The UDP plane's `allow_update` and `blocked` maps: configuration entries (read-only) plus entries added over the
 * API (stored in `fuzzyd_networks`). Every change is committed, then the policy's list is swapped whole, so the next
 * datagram already obeys it; no restart.
 */
@Injectable()
export class AllowMapService implements OnModuleInit {
  /** Changes run one at a time, so two concurrent edits cannot install a list that misses one of them. */
  private readonly serial = new OneAtATime();

  constructor(
    @InjectRepository(NetworkEntity) private readonly repo: Repository<NetworkEntity>,
    @Inject(ACCESS_POLICY) private readonly policy: AccessPolicy,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.apply('allow-update');
    await this.apply('blocked');
  }

  async list(list: NetworkListName): Promise<NetworkItem[]> {
    const rows = await this.repo.find({ where: { list }, order: { id: 'ASC' } });
    return [...this.configItems(list), ...rows.map(toItem)];
  }

  add(list: NetworkListName, cidrText: string, comment: string | null): Promise<NetworkItem> {
    let entries: NetworkEntry[];
    try {
      entries = parseNetwork(cidrText);
    } catch (err) {
      if (err instanceof InvalidNetworkError) throw new ValidationError('cidr', err.message);
      throw err;
    }
    const cidr = entries.length === 1 ? entries[0].cidr : cidrText.trim();
    return this.serial.run(async () => {
      if (this.configEntries(list).some((e) => e.cidr === cidr)) {
        throw new ConflictError(`cidr: ${cidr} is already in ${CONFIG_NAMES[list]}`, 'cidr');
      }
      if (await this.repo.existsBy({ list, cidr })) throw new ConflictError(`cidr: ${cidr} is already in the list`, 'cidr');
      const saved = await this.repo.save(this.repo.create({ list, cidr, comment, createdAt: Math.floor(Date.now() / 1000) }));
      await this.apply(list);
      this.logger.info({ list, cidr, id: saved.id }, 'network added');
      return toItem(saved);
    });
  }

  remove(list: NetworkListName, id: string): Promise<void> {
    if (CONFIG_ID.test(id)) {
      throw new ConflictError(`${id} comes from ${CONFIG_NAMES[list]} and is read-only; change the configuration instead`);
    }
    if (!/^\d{1,15}$/.test(id)) throw new ValidationError('id', `must be a number or config-N (got '${id.slice(0, 40)}')`);
    return this.serial.run(async () => {
      const row = await this.repo.findOneBy({ list, id: Number(id) });
      if (!row) throw new NotFoundError(`no entry ${id} in ${list}`);
      await this.repo.delete({ id: row.id });
      await this.apply(list);
      this.logger.info({ list, cidr: row.cidr, id: row.id }, 'network removed');
    });
  }

  private async apply(list: NetworkListName): Promise<void> {
    const rows = await this.repo.find({ where: { list }, order: { id: 'ASC' } });
    const stored = rows.flatMap((row) => {
      try {
        return parseNetwork(row.cidr);
      } catch {
        this.logger.warn({ list, id: row.id, cidr: row.cidr }, 'ignoring a stored network that does not parse');
        return [];
      }
    });
    const entries = [...this.configEntries(list), ...stored];
    if (list === 'allow-update') this.policy.setAllowUpdate(entries);
    else this.policy.setBlocked(entries);
  }

  private configEntries(list: NetworkListName): readonly NetworkEntry[] {
    return list === 'allow-update' ? this.config.allowUpdate : this.config.blocked;
  }

  private configItems(list: NetworkListName): NetworkItem[] {
    return this.configEntries(list).map((e, i) => ({
      id: `config-${i}`,
      cidr: e.cidr,
      comment: `from ${CONFIG_NAMES[list]}`,
      source: 'config',
      readOnly: true,
      createdAt: null,
    }));
  }
}

function toItem(row: NetworkEntity): NetworkItem {
  return { id: String(row.id), cidr: row.cidr, comment: row.comment, source: 'api', readOnly: false, createdAt: row.createdAt };
}
