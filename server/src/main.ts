import { loadConfig } from './config/app-config.js';
import { startFuzzyd } from './bootstrap.js';

const SHUTDOWN_LIMIT_MS = 9500;

/** Entry point: configuration from the environment, then serve until SIGTERM/SIGINT, then shut down cleanly. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(`fuzzyd: configuration error: ${(err as Error).message}`);
    process.exit(2);
  }
  const fuzzyd = await startFuzzyd(config);
  const shutdown = (signal: string): void => {
    fuzzyd.runtime.logger.info({ signal }, 'shutting down');
    // Every step is bounded on its own; this is the last word. Acknowledged writes are durable already, and what a
    // step could not finish (a full disk) is finished at the next start.
    setTimeout(() => {
      fuzzyd.runtime.logger.error({ signal, afterMs: SHUTDOWN_LIMIT_MS }, 'shutdown did not finish in time, exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    fuzzyd.stop().then(
      () => process.exit(0),
      (err: Error) => {
        fuzzyd.runtime.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: Error) => {
  console.error(`fuzzyd: ${err.message}`);
  process.exit(1);
});
