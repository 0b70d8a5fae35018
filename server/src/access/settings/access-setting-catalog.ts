import type { AccessSettingKind, AccessSettingName, AccessSettingValue } from '../../../../shared/api/access-settings.js';
import { ValidationError } from '../../common/api-error.js';
import type { AppConfig } from '../../config/app-config.js';
import { FUZZY_SETTINGS } from '../../config/fuzzy-settings.js';
import { scalarText } from '../../config/setting.js';
import type { RateLimitField } from '../../ratelimit/rate-limit-settings.js';
import type { NetworkEntry } from '../../udp/network-list.js';

/**
 * The access settings the admin API may change while serving, each tied to its configuration field: a value sent
 * over REST is turned into the text a variable would hold and read by that setting's own parser
 * (config/fuzzy-settings.ts), so REST, file and environment accept and refuse exactly the same values.
 */
export type AccessField =
  | RateLimitField
  | 'delaySeconds'
  | 'delayWhitelist'
  | 'forbiddenIds'
  | 'weakIds'
  | 'allowUpdateKeys';

/** The fields as the running parts take them (live-access.ts). */
export type AccessValues = Pick<AppConfig, AccessField>;

export interface AccessSettingSpec {
  name: AccessSettingName;
  field: AccessField;
  kind: AccessSettingKind;
}

export const ACCESS_SETTING_SPECS: readonly AccessSettingSpec[] = [
  { name: 'ratelimit_rate', field: 'ratelimitRate', kind: 'optional-number' },
  { name: 'ratelimit_burst', field: 'ratelimitBurst', kind: 'optional-number' },
  { name: 'ratelimit_network_mask', field: 'ratelimitNetworkMask', kind: 'integer' },
  { name: 'ratelimit_bucket_ttl', field: 'ratelimitBucketTtlSeconds', kind: 'duration' },
  { name: 'ratelimit_max_buckets', field: 'ratelimitMaxBuckets', kind: 'integer' },
  { name: 'ratelimit_whitelist', field: 'ratelimitWhitelist', kind: 'networks' },
  { name: 'ratelimit_log_only', field: 'ratelimitLogOnly', kind: 'boolean' },
  { name: 'ratelimit_exempt_local', field: 'ratelimitExemptLocal', kind: 'boolean' },
  { name: 'delay', field: 'delaySeconds', kind: 'optional-duration' },
  { name: 'delay_whitelist', field: 'delayWhitelist', kind: 'networks' },
  { name: 'forbidden_ids', field: 'forbiddenIds', kind: 'flag-ids' },
  { name: 'weak_ids', field: 'weakIds', kind: 'flag-ids' },
  { name: 'allow_update_keys', field: 'allowUpdateKeys', kind: 'key-ids' },
];

const BY_NAME = new Map(ACCESS_SETTING_SPECS.map((s) => [s.name, s]));

export function accessSettingSpec(name: string): AccessSettingSpec | undefined {
  return BY_NAME.get(name as AccessSettingName);
}

export function envNameOf(spec: AccessSettingSpec): string {
  return FUZZY_SETTINGS[spec.field].env;
}

/**
 * A schema-checked REST value (never null here: null removes the REST value) as the configuration value. `false`
 * (off) is the empty text an unset variable holds. allow_update_keys takes ids only: a path sent over the API would
 * make the server read files a token holder names. Refusals are 400s naming the setting.
 */
export function fromApiValue(spec: AccessSettingSpec, value: Exclude<AccessSettingValue, null>): AccessValues[AccessField] {
  if (spec.kind === 'key-ids') {
    const ids = [...new Set(value as string[])];
    return { ids, literal: ids, files: [] };
  }
  const text = value === false ? '' : scalarText(value);
  if (text === undefined) throw new ValidationError(spec.name, 'is not valid');
  try {
    return FUZZY_SETTINGS[spec.field].parse(text, spec.name) as AccessValues[AccessField];
  } catch (err) {
    const message = (err as Error).message;
    throw new ValidationError(spec.name, message.startsWith(`${spec.name}: `) ? message.slice(spec.name.length + 2) : message);
  }
}

/** A configuration value as the API shows it: networks as CIDR text, durations in seconds, null for off. */
export function toApiValue(spec: AccessSettingSpec, values: AccessValues): AccessSettingValue {
  const value = values[spec.field];
  switch (spec.kind) {
    case 'networks':
      return (value as NetworkEntry[]).map((e) => e.cidr);
    case 'key-ids':
      return [...(value as AccessValues['allowUpdateKeys']).ids];
    case 'flag-ids':
      return [...(value as number[])];
    default:
      return value as number | boolean | null;
  }
}
