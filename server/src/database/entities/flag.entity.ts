import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A name for a flag number (rspamd's fuzzy_check maps flags to symbols; admins want words). */
@Entity('fuzzyd_flags')
export class FlagEntity {
  @PrimaryColumn({ type: 'integer' })
  flag: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Unix seconds. */
  @Column({ type: 'integer', name: 'updated_at' })
  updatedAt: number;
}
