/**
 * The fuzzy storage an interop suite talks to. By default it is fuzzyd. With FUZZYD_INTEROP_TARGET=rspamd the same
 * suites run against rspamd 3.4's own fuzzy worker instead: that proves the assertions describe real 3.4 behaviour
 * rather than fuzzyd's idea of it.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { startRspamdFuzzyWorker } from '../helpers/rspamd-fuzzy-worker.js';

export type InteropTarget = 'fuzzyd' | 'rspamd';

export function interopTarget(): InteropTarget {
  return process.env.FUZZYD_INTEROP_TARGET === 'rspamd' ? 'rspamd' : 'fuzzyd';
}

export interface Keypair {
  pubkey: string;
  privkey: string;
}

export interface StorageUnderTest {
  target: InteropTarget;
  udpPort: number;
  /** The SQLite file it serves. */
  dbPath: string;
  /**
   * Makes acknowledged updates visible. fuzzyd commits before it acks, so this is a no-op there; rspamd queues them
   * until a flush, and its own functional tests force one with `fuzzy_sync` after every learn (fuzzy-notes.md §1).
   */
  settle(): Promise<void>;
  /** Stops it; the database survives when the caller chose `dbPath`. */
  stop(): Promise<void>;
}

export interface StorageOptions {
  /** Reuse this UDP port (a restarted storage behind the same scanner rule). */
  udpPort?: number;
  /** Who may write; default loopback. */
  allowUpdate?: string[];
  /** Serve this SQLite file; default a fresh one in a temp dir that stop() deletes. */
  dbPath?: string;
  keypair?: Keypair;
  encryptedOnly?: boolean;
}

export async function startStorageUnderTest(opts: StorageOptions = {}): Promise<StorageUnderTest> {
  const udpPort = opts.udpPort ?? (await freeUdpPort());
  const allowUpdate = opts.allowUpdate ?? ['127.0.0.1', '::1'];
  if (interopTarget() === 'rspamd') {
    const extra = [
      opts.keypair ? `keypair { pubkey = "${opts.keypair.pubkey}"; privkey = "${opts.keypair.privkey}"; }` : '',
      opts.encryptedOnly ? 'encrypted_only = true;' : '',
    ].join('\n');
    const worker = await startRspamdFuzzyWorker({
      port: udpPort,
      backend: 'sqlite',
      dbPath: opts.dbPath,
      sync: '60s',
      allowUpdate,
      expire: '90d',
      extraWorkerConfig: extra,
    });
    return {
      target: 'rspamd',
      udpPort,
      dbPath: worker.dbPath ?? '',
      settle: () => worker.sync(),
      stop: () => worker.remove(),
    };
  }

  const { startFuzzyd } = await import('../helpers/fuzzyd-process.js');
  const ownDir = opts.dbPath ? null : await mkdtemp(join(tmpdir(), 'fuzzyd-interop-'));
  const dbPath = opts.dbPath ?? join(ownDir ?? '', 'fuzzy.db');
  const env: Record<string, string> = {
    FUZZYD_UDP: `127.0.0.1:${udpPort}`,
    FUZZYD_HTTP: `127.0.0.1:${await freeTcpPort()}`,
    FUZZYD_DB: dbPath,
    FUZZYD_ALLOW_UPDATE: allowUpdate.join(','),
    FUZZYD_EXPIRE: '90d',
  };
  if (opts.keypair) env.FUZZYD_KEYPAIR = `${opts.keypair.privkey}:${opts.keypair.pubkey}`;
  if (opts.encryptedOnly) env.FUZZYD_ENCRYPTED_ONLY = 'true';
  const fuzzyd = await startFuzzyd(env);
  return {
    target: 'fuzzyd',
    udpPort: fuzzyd.udpPort,
    dbPath,
    settle: async () => undefined,
    stop: async () => {
      await fuzzyd.stop();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies a stopped server's SQLite file (and its WAL, if a checkpoint left one) into `dir`; returns the new path.
 * The -shm index is not copied: SQLite rebuilds it from the WAL.
 */
export async function copyDatabase(src: string, dir: string): Promise<string> {
  const dst = join(dir, basename(src));
  await copyFile(src, dst);
  if (existsSync(`${src}-wal`)) await copyFile(`${src}-wal`, `${dst}-wal`);
  return dst;
}
