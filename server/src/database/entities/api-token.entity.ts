import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TokenItem, TokenScope } from '../../../../shared/api/api-types.js';

/** A bearer token of the admin API. Only the SHA-256 of the secret is stored. */
@Entity('fuzzyd_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  scope: TokenScope;

  /** Hex SHA-256 of the whole token string. */
  @Column({ type: 'text', name: 'token_hash', unique: true })
  tokenHash: string;

  @Column({ type: 'text' })
  hint: string;

  @Column({ type: 'text' })
  origin: TokenItem['origin'];

  /** Unix seconds. */
  @Column({ type: 'integer', name: 'created_at' })
  createdAt: number;

  @Column({ type: 'integer', name: 'last_used_at', nullable: true })
  lastUsedAt: number | null;
}
