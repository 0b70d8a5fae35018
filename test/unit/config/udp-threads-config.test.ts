/** FUZZYD_UDP_THREADS: one UDP thread per core by default, 0 for UDP on the main thread, clear errors otherwise. */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('UDP thread configuration', () => {
  it('defaults to one thread per core', () => {
    expect(loadConfig({}).udpThreads).toBe(availableParallelism());
  });

  it('takes 0 (main thread) up to 64, from the environment or the file (udp_threads)', () => {
    expect(loadConfig({ FUZZYD_UDP_THREADS: '0' }).udpThreads).toBe(0);
    expect(loadConfig({ FUZZYD_UDP_THREADS: '64' }).udpThreads).toBe(64);
    const dir = tempDir();
    try {
      const file = dir.file('fuzzyd.json');
      writeFileSync(file, JSON.stringify({ udp_threads: 3 }));
      expect(loadConfig({ FUZZYD_CONFIG: file }).udpThreads).toBe(3);
      expect(loadConfig({ FUZZYD_CONFIG: file, FUZZYD_UDP_THREADS: '1' }).udpThreads).toBe(1);
    } finally {
      dir.remove();
    }
  });

  it.each(['-1', '65', '1.5', 'two', ''])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ FUZZYD_UDP_THREADS: value })).toThrow(/FUZZYD_UDP_THREADS/);
  });
});
