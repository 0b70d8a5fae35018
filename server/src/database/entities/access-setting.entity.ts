import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An access setting the admin API set (access/settings): it overrides the file and the environment until it is
 * removed. The value is the API's JSON as sent, read again through the setting's parser at every start.
 */
@Entity('fuzzyd_access_settings')
export class AccessSettingEntity {
  /** rspamd's option name (`ratelimit_rate`). */
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  value: string;

  /** Unix milliseconds. */
  @Column({ type: 'integer', name: 'updated_at' })
  updatedAt: number;
}
