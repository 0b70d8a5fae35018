/**
 * The README's Configuration table and the loader's declared settings list the same variables, in the same order,
 * with the same file keys and defaults: the README is what admins write their configuration from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_SETTINGS, FILE_KEYS } from '../../../server/src/config/app-config.js';
import { CONFIG_FILE_ENV } from '../../../server/src/config/config-file.js';
import { checkoutRoot } from '../../helpers/checkout-root.js';

interface Row {
  env: string;
  file: string;
  default: string;
}

function readmeRows(): Row[] {
  const readme = readFileSync(join(checkoutRoot(import.meta.url), 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `FUZZYD_'))
    .map((line) => {
      const [env, file, def] = line.slice(2, -2).split(' | ');
      return { env, file, default: def };
    });
}

const rows = readmeRows();

describe('README Configuration table', () => {
  it('lists every setting of the loader, and no other, in the same order', () => {
    expect(rows.map((r) => r.env)).toEqual([CONFIG_FILE_ENV, ...ALL_SETTINGS.map((s) => s.env)].map((e) => `\`${e}\``));
  });

  it('gives each setting the file key the loader reads (— for environment only)', () => {
    const documented = rows.filter((r) => r.env !== `\`${CONFIG_FILE_ENV}\``);
    expect(documented.map((r) => r.file)).toEqual(ALL_SETTINGS.map((s) => (s.file ? `\`${s.file}\`` : '—')));
    const readmeKeys = documented.filter((r) => r.file !== '—').map((r) => r.file.replaceAll('`', ''));
    // FILE_KEYS also holds the aliases rspamd reads for the same option (`dbname` for `db`); the README names the first.
    const aliases = ALL_SETTINGS.flatMap((s) => s.fileAliases ?? []);
    expect(new Set([...readmeKeys, ...aliases])).toEqual(FILE_KEYS);
  });

  it('shows the default the loader uses, where it is a written value', () => {
    for (const [i, setting] of ALL_SETTINGS.entries()) {
      const cell = rows[i + 1].default;
      if (typeof setting.default === 'string') expect(cell, setting.env).toBe(`\`${setting.default}\``);
      // A default computed at start (one per core, the host name, none) is described in words.
      else expect(cell, setting.env).not.toMatch(/^`[^`]*`$/);
    }
  });
});
