import { describe, expect, it } from 'vitest';
import { ACCESS_SETTING_NAMES } from '../../../shared/api/access-settings.js';
import { ACCESS_SETTING_SPECS } from '../../../server/src/access/settings/access-setting-catalog.js';
import { FUZZY_SETTINGS } from '../../../server/src/config/fuzzy-settings.js';

describe('access setting catalog', () => {
  it('names every setting by the key the config file takes for its field (rspamd option name)', () => {
    for (const spec of ACCESS_SETTING_SPECS) expect(spec.name, spec.field).toBe(FUZZY_SETTINGS[spec.field].file);
  });

  it('has one entry per name the API schema accepts, each field once', () => {
    expect(ACCESS_SETTING_SPECS.map((s) => s.name).sort()).toEqual([...ACCESS_SETTING_NAMES].sort());
    expect(new Set(ACCESS_SETTING_SPECS.map((s) => s.field)).size).toBe(ACCESS_SETTING_SPECS.length);
  });
});
