import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, type Repository } from 'typeorm';
import type { TokenCreated, TokenItem, TokenScope } from '../../../shared/api/api-types.js';
import { ConflictError, NotFoundError } from '../common/api-error.js';
import type { Logger } from '../common/logger.js';
import type { AppConfig } from '../config/app-config.js';
import { ApiTokenEntity } from '../database/entities/api-token.entity.js';
import { CONFIG, LOGGER } from '../runtime.js';
import { generateToken, hashToken, tokenHint } from './token-secret.js';

/** How often a token's last use is written back; in between it is only kept in memory. */
const LAST_USED_WRITE_SECONDS = 60;

/**
 * Bearer tokens of the admin API. All tokens are held in memory by hash (the table is small and this process is its
 * only writer), so checking a request costs one SHA-256 and one map lookup, no query.
 */
@Injectable()
export class ApiTokenService implements OnModuleInit {
  private byHash = new Map<string, ApiTokenEntity>();
  private readonly lastUseWritten = new Map<number, number>();

  constructor(
    @InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seedFromConfig();
    if ((await this.repo.count()) === 0) await this.generateFirstToken();
    await this.reload();
  }

  /** The token a bearer secret names, or null. Records the use. */
  authenticate(secret: string): ApiTokenEntity | null {
    const token = this.byHash.get(hashToken(secret));
    if (!token) return null;
    const now = nowSeconds();
    token.lastUsedAt = now;
    if (now - (this.lastUseWritten.get(token.id) ?? 0) >= LAST_USED_WRITE_SECONDS) {
      this.lastUseWritten.set(token.id, now);
      this.repo.update({ id: token.id }, { lastUsedAt: now }).catch((err: Error) => {
        this.logger.warn({ err: err.message, tokenId: token.id }, 'could not record token use');
      });
    }
    return token;
  }

  list(): TokenItem[] {
    return [...this.byHash.values()].sort((a, b) => a.id - b.id).map(toItem);
  }

  async create(name: string, scope: TokenScope): Promise<TokenCreated> {
    const secret = generateToken();
    const saved = await this.insert(name, scope, secret, 'api');
    this.logger.info({ tokenId: saved.id, scope, name }, 'token created');
    return { ...toItem(saved), token: secret };
  }

  async remove(id: number): Promise<void> {
    const token = [...this.byHash.values()].find((t) => t.id === id);
    if (!token) throw new NotFoundError(`no token with id ${id}`);
    const admins = [...this.byHash.values()].filter((t) => t.scope === 'admin');
    if (token.scope === 'admin' && admins.length === 1) {
      throw new ConflictError('this is the last admin token; create another admin token before deleting it');
    }
    await this.repo.delete({ id });
    this.byHash.delete(token.tokenHash);
    this.logger.info({ tokenId: id }, 'token deleted');
  }

  private async reload(): Promise<void> {
    const all = await this.repo.find();
    this.byHash = new Map(all.map((t) => [t.tokenHash, t]));
  }

  /**
   * FUZZYD_ADMIN_TOKEN is kept as an admin token. Setting a different value rotates it (the previous one stops
   * working); unsetting it keeps the seeded token, since seeding is the point.
   */
  private async seedFromConfig(): Promise<void> {
    const secret = this.config.adminToken;
    if (!secret) return;
    const tokenHash = hashToken(secret);
    const removed = await this.repo.delete({ origin: 'env', tokenHash: Not(tokenHash) });
    if (removed.affected) this.logger.info({ removed: removed.affected }, 'previous FUZZYD_ADMIN_TOKEN revoked');
    const existing = await this.repo.findOneBy({ tokenHash });
    if (existing) {
      if (existing.scope !== 'admin') await this.repo.update({ id: existing.id }, { scope: 'admin' });
      return;
    }
    await this.insert('FUZZYD_ADMIN_TOKEN', 'admin', secret, 'env');
    if (secret.length < 16) this.logger.warn('FUZZYD_ADMIN_TOKEN is shorter than 16 characters; use a long random value');
  }

  /**
   * Printed on stdout, outside the JSON log: it is shown exactly once, and log pipelines (which keep lines for a
   * long time) should never see a secret.
   */
  private async generateFirstToken(): Promise<void> {
    const secret = generateToken();
    await this.insert('first admin token', 'admin', secret, 'generated');
    process.stdout.write(
      `\nfuzzyd: no API token existed, so an admin token was generated. It is shown only this once:\n\n  ${secret}\n\n` +
        'Use it as "Authorization: Bearer <token>", create narrower tokens with POST /api/v1/tokens, and keep it safe.\n\n',
    );
  }

  private async insert(name: string, scope: TokenScope, secret: string, origin: TokenItem['origin']): Promise<ApiTokenEntity> {
    const entity = this.repo.create({
      name,
      scope,
      tokenHash: hashToken(secret),
      hint: tokenHint(secret),
      origin,
      createdAt: nowSeconds(),
      lastUsedAt: null,
    });
    const saved = await this.repo.save(entity);
    this.byHash.set(saved.tokenHash, saved);
    return saved;
  }
}

function toItem(t: ApiTokenEntity): TokenItem {
  return { id: t.id, name: t.name, scope: t.scope, hint: t.hint, origin: t.origin, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
