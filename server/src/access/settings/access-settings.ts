import { type AccessSettingItem, type AccessSettingName, type AccessSettingValue, accessSettingDescription } from '../../../../shared/api/access-settings.js';
import type { AppConfig } from '../../config/app-config.js';
import type { SettingSource } from '../../config/setting.js';
import { ACCESS_SETTING_SPECS, type AccessField, type AccessSettingSpec, type AccessValues, envNameOf, toApiValue } from './access-setting-catalog.js';

/** A value the admin API set: as the running parts take it, and when. */
export interface RestValue {
  value: AccessValues[AccessField];
  /** Unix milliseconds. */
  updatedAt: number;
}

/** Puts values in force (live-access.ts); `initial`: the stored API values, once at start. */
export type ApplyAccess = (values: AccessValues, initial: boolean) => void;

/**
 * The access settings in force: each one the admin API's value if it set one, else the configuration's (env, then
 * file, then default, as loadConfig read them; allow_update_keys' files re-read when they change). Plain state
 * without Nest or a database, so bootstrap.ts can hand it to the file watcher and the admin API alike; storing the
 * API's values is access-settings.service.ts's job. Every change is applied whole, in one call.
 */
export class AccessSettings {
  private readonly configured: AccessValues;
  private readonly sources: Readonly<Partial<Record<keyof AppConfig, SettingSource>>>;
  private rest = new Map<AccessSettingName, RestValue>();

  constructor(
    config: AppConfig,
    private readonly apply: ApplyAccess,
  ) {
    this.configured = Object.fromEntries(ACCESS_SETTING_SPECS.map((s) => [s.field, config[s.field]])) as unknown as AccessValues;
    this.sources = config.sources ?? {};
  }

  /** What the running parts use now. */
  effective(): AccessValues {
    const values = { ...this.configured } as Record<AccessField, unknown>;
    for (const spec of ACCESS_SETTING_SPECS) {
      const rest = this.rest.get(spec.name);
      if (rest) values[spec.field] = rest.value;
    }
    return values as unknown as AccessValues;
  }

  restValues(): ReadonlyMap<AccessSettingName, RestValue> {
    return this.rest;
  }

  /** Replaces every API value at once and applies the result. */
  setRestValues(values: ReadonlyMap<AccessSettingName, RestValue>, initial = false): void {
    this.rest = new Map(values);
    this.apply(this.effective(), initial);
  }

  /** The configuration's value changed underneath (a map file re-read); applied unless the API's value covers it. */
  setConfigured<F extends AccessField>(field: F, value: AccessValues[F]): void {
    this.configured[field] = value;
    this.apply(this.effective(), false);
  }

  items(): AccessSettingItem[] {
    const effective = this.effective();
    return ACCESS_SETTING_SPECS.map((spec) => this.item(spec, effective));
  }

  private item(spec: AccessSettingSpec, effective: AccessValues): AccessSettingItem {
    const rest = this.rest.get(spec.name);
    const configuredSource = this.sources[spec.field] ?? 'default';
    const configuredValue: AccessSettingValue = toApiValue(spec, this.configured);
    return {
      name: spec.name,
      env: envNameOf(spec),
      kind: spec.kind,
      description: accessSettingDescription(spec.name),
      value: toApiValue(spec, effective),
      source: rest ? 'rest' : configuredSource,
      configured: { value: configuredValue, source: configuredSource },
      files: spec.field === 'allowUpdateKeys' ? [...this.configured.allowUpdateKeys.files] : [],
      updatedAt: rest ? new Date(rest.updatedAt).toISOString() : null,
    };
  }
}
