import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { NetworkListName } from '../../../../shared/api/api-types.js';

/** A network added over the API to `allow_update` or `blocked` (configuration entries are not stored). */
@Entity('fuzzyd_networks')
export class NetworkEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'text' })
  list: NetworkListName;

  /** As normalised by parseNetwork (`10.0.0.0/8`), or `localhost`. */
  @Column({ type: 'text' })
  cidr: string;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  /** Unix seconds. */
  @Column({ type: 'integer', name: 'created_at' })
  createdAt: number;
}
