import Type, { type Static, type TSchema } from 'typebox';

/**
 * `/api/v1/access/settings`: the access controls an admin may change while fuzzyd serves (rate limits, `delay`,
 * `forbidden_ids`, `weak_ids`, `allow_update_keys`), each named by rspamd's option (the file key of the README's
 * Configuration table). A value set here overrides the file and the environment until it is removed again.
 */

/** How a value is written; the dashboard picks its input by it. */
export const ACCESS_SETTING_KINDS = ['optional-number', 'integer', 'duration', 'optional-duration', 'boolean', 'networks', 'flag-ids', 'key-ids'] as const;
export type AccessSettingKind = (typeof ACCESS_SETTING_KINDS)[number];

/** rspamd's `ratelimit_max_buckets` at most in fuzzyd (config/fuzzy-settings.ts): the table is allocated whole. */
const MAX_BUCKETS = 1_000_000;
const DURATION_TEXT = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|sec|m|min|h|d|w|y)?\\s*$';
const KEY_ID_PATTERN = '^[ybndrfg8ejkmcpqxot1uwisza345h769]{103}$';

const NULL_MEANS = 'null: back to the file or environment value';

const optionalNumber = (description: string) =>
  Type.Union([Type.Number({ minimum: 0 }), Type.Literal(false), Type.Null()], {
    description: `${description}; false: off; ${NULL_MEANS}`,
    'x-error': 'must be a number ≥ 0, false (off) or null',
  });
const seconds = (description: string, off: boolean) =>
  Type.Union(
    [
      Type.Number({ exclusiveMinimum: 0 }),
      Type.String({ pattern: DURATION_TEXT, maxLength: 32 }),
      ...(off ? [Type.Literal(false)] : []),
      Type.Null(),
    ],
    {
      description: `${description}: seconds, or rspamd's time syntax ('30s', '1h')${off ? '; false: off' : ''}; ${NULL_MEANS}`,
      'x-error': `must be seconds > 0, a duration such as '30s' or '1h'${off ? ', false (off)' : ''} or null`,
    },
  );
const integer = (description: string, minimum: number, maximum: number) =>
  Type.Union([Type.Integer({ minimum, maximum }), Type.Null()], { description: `${description}; ${NULL_MEANS}` });
const boolean = (description: string) => Type.Union([Type.Boolean(), Type.Null()], { description: `${description}; ${NULL_MEANS}` });
const networks = (description: string) =>
  Type.Union(
    [
      Type.Array(
        Type.String({ minLength: 1, maxLength: 64, pattern: '^[^,\\s]+$', 'x-pattern-error': 'must be one address or CIDR (no spaces or commas)' }),
        { maxItems: 1024 },
      ),
      Type.Null(),
    ],
    { description: `${description}: IPv4/IPv6 addresses or CIDRs; ${NULL_MEANS}` },
  );
const flagIds = (description: string) =>
  Type.Union([Type.Array(Type.Integer({ minimum: 0, maximum: 0xffff_ffff }), { maxItems: 256 }), Type.Null()], {
    description: `${description}; ${NULL_MEANS}`,
  });

/** One schema per setting, in the order the API lists them. */
const SETTING_SCHEMAS = {
  ratelimit_rate: optionalNumber('Requests per second leaked from a source network\'s bucket'),
  ratelimit_burst: optionalNumber('Requests a network may send at once before it is banned'),
  ratelimit_network_mask: integer('IPv4 prefix sources are grouped by (IPv6: min(max(4·mask, 64), 128))', 0, 128),
  ratelimit_bucket_ttl: seconds("A network's bucket, and so its ban, ends this long after the bucket was created", false),
  ratelimit_max_buckets: integer('Networks tracked at most', 1, MAX_BUCKETS),
  ratelimit_whitelist: networks('Sources never rate-limited'),
  ratelimit_log_only: boolean('Count and log what rate limits would refuse, refuse nothing'),
  ratelimit_exempt_local: boolean('Never limit loopback and link-local sources (rspamd ≥ 3.14)'),
  delay: seconds('A hash written less than about 1 to 1.5 × this ago is answered as a miss', true),
  delay_whitelist: networks('Sources that see young hashes anyway'),
  forbidden_ids: flagIds('Flags never returned on CHECK'),
  weak_ids: flagIds('Flags whose WRITEs never displace another flag'),
  allow_update_keys: Type.Union(
    [
      Type.Array(
        Type.String({ pattern: KEY_ID_PATTERN, 'x-pattern-error': 'must be a key id (103 zbase32 characters, the id rspamadm keypair prints)' }),
        { maxItems: 1024 },
      ),
      Type.Null(),
    ],
    { description: `Server key ids whose clients may WRITE/DEL when allow_update is empty (ids only over the API, no files); ${NULL_MEANS}` },
  ),
} satisfies Record<string, TSchema>;

export type AccessSettingName = keyof typeof SETTING_SCHEMAS;
export const ACCESS_SETTING_NAMES = Object.keys(SETTING_SCHEMAS) as AccessSettingName[];

/** `PATCH /access/settings`: any of the settings; a value sets it over the API, null returns it to file/env. */
export const AccessSettingsPatch = Type.Object(
  Object.fromEntries(ACCESS_SETTING_NAMES.map((name) => [name, Type.Optional(SETTING_SCHEMAS[name])])) as {
    [K in AccessSettingName]: ReturnType<typeof Type.Optional<(typeof SETTING_SCHEMAS)[K]>>;
  },
  { additionalProperties: false },
);
export type AccessSettingsPatch = Static<typeof AccessSettingsPatch>;

/** A value as the API shows it: null for a setting that is off (rate, burst, delay). Durations are in seconds. */
export const AccessSettingValue = Type.Union([Type.Number(), Type.Boolean(), Type.Array(Type.Union([Type.String(), Type.Number()])), Type.Null()]);
export type AccessSettingValue = Static<typeof AccessSettingValue>;

export const AccessSettingSource = Type.Union([Type.Literal('default'), Type.Literal('env'), Type.Literal('file'), Type.Literal('rest')]);
export type AccessSettingSource = Static<typeof AccessSettingSource>;

export const AccessSettingItem = Type.Object({
  name: Type.String({ description: "rspamd's option name, the configuration file key" }),
  env: Type.String({ description: 'The FUZZYD_* variable that sets it at start' }),
  kind: Type.Unsafe<AccessSettingKind>({ type: 'string', enum: [...ACCESS_SETTING_KINDS] }),
  description: Type.String(),
  value: AccessSettingValue,
  source: AccessSettingSource,
  /** What applies once the API's value is removed. */
  configured: Type.Object({
    value: AccessSettingValue,
    source: Type.Union([Type.Literal('default'), Type.Literal('env'), Type.Literal('file')]),
  }),
  /** Map files the configured value reads (allow_update_keys), re-read when they change. */
  files: Type.Array(Type.String()),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the API last set it; null when not set over the API' }),
});
export type AccessSettingItem = Static<typeof AccessSettingItem>;

/** The description of each setting, for the API and the dashboard: what it does, without how the API writes it. */
export function accessSettingDescription(name: AccessSettingName): string {
  const text = String((SETTING_SCHEMAS[name] as { description?: string }).description ?? '');
  return text.replace(/(: seconds, .*|: IPv4\/IPv6 addresses.*|; false: off.*|; null: back to .*|\s\(ids only over the API.*)$/, '');
}
