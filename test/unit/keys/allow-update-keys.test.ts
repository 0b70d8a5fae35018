import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { parseAllowUpdateKeys } from '../../../server/src/keys/allow-update-keys.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());
const [a, b, c] = [generateKeypair(), generateKeypair(), generateKeypair()];

describe('allow_update_keys (access-controls.md §1.2 step 3)', () => {
  it("takes the 103-character ids rspamadm keypair prints, comma-separated", () => {
    expect(a.id).toHaveLength(103);
    expect(parseAllowUpdateKeys(`${a.id}, ${b.id},${a.id}`, 'K').ids).toEqual([a.id, b.id]);
  });

  it("reads a file entry as rspamd's map: first token per line, # comments", () => {
    const file = dir.file('keys.map');
    writeFileSync(file, `# writers\n${b.id} customer-b\n\n  ${c.id}   # c\n`);
    expect(parseAllowUpdateKeys(`${a.id},${file}`, 'K').ids).toEqual([a.id, b.id, c.id]);
  });

  it('refuses a public key, an unknown word and a bad line, naming the setting', () => {
    expect(() => parseAllowUpdateKeys(a.pubkey, 'FUZZYD_ALLOW_UPDATE_KEYS')).toThrow(/^FUZZYD_ALLOW_UPDATE_KEYS: an entry is a public key/);
    expect(() => parseAllowUpdateKeys('nope', 'K')).toThrow(/an entry of 4 characters is neither a key id .* nor an existing file/);
    expect(() => parseAllowUpdateKeys('/etc/none.map', 'K')).toThrow(/'\/etc\/none.map' is neither a key id/);
    const file = dir.file('bad.map');
    writeFileSync(file, `${a.id}\n${a.pubkey}\n`);
    expect(() => parseAllowUpdateKeys(file, 'K')).toThrow(/line 2 is not a key id/);
  });
});
