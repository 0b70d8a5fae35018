import { type Fuzzyd, startFuzzyd } from '../../server/src/bootstrap.js';
import { loadConfig } from '../../server/src/config/app-config.js';
import { tempDir } from './temp-dir.js';

export interface TestFuzzyd extends Fuzzyd {
  udpPort: number;
  dbPath: string;
  close(): Promise<void>;
}

/** fuzzyd in this process on ephemeral loopback ports with a private database; `env` overrides FUZZYD_*. */
export async function startTestFuzzyd(env: Record<string, string> = {}): Promise<TestFuzzyd> {
  const dir = tempDir();
  const dbPath = env.FUZZYD_DB ?? dir.file('fuzzy.db');
  const fuzzyd = await startFuzzyd(
    loadConfig({
      FUZZYD_UDP: '127.0.0.1:0',
      FUZZYD_HTTP: '127.0.0.1:0',
      FUZZYD_DB: dbPath,
      FUZZYD_DURABILITY: 'normal',
      FUZZYD_LOG_LEVEL: 'silent',
      FUZZYD_ADMIN_TOKEN: 'fzd_test_admin_token_0123456789abcdef',
      ...env,
    }),
  );
  return {
    ...fuzzyd,
    udpPort: fuzzyd.runtime.udp.boundAddresses[0].port,
    dbPath,
    close: async () => {
      await fuzzyd.stop();
      dir.remove();
    },
  };
}
