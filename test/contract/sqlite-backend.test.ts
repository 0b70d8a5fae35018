import { afterAll } from 'vitest';
import { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeFuzzyBackendContract } from './fuzzy-backend.contract.js';

// One file per store name in one temporary directory; the writer thread runs from dist/ (build first).
const dir = tempDir('fuzzyd-contract-');
afterAll(() => dir.remove());

describeFuzzyBackendContract('SQLite', {
  async open(name, { expireSeconds }) {
    const backend = await SqliteBackend.open({ dbPath: dir.file(`${name}.db`), durability: 'normal', expireSeconds, integrityCheck: false });
    // The contract is about the index's answers; background-index.test.ts covers those from the tables while it loads.
    await backend.indexed;
    return backend;
  },
});
