import { open, rename, stat } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { FuzzyIndex, type FuzzyIndexImage } from '../../memory/fuzzy-index.js';

/**
 * The in-memory index, saved next to the store at a clean shutdown, so the next start maps it back in well under a
 * second instead of rebuilding it from rspamd's tables (about 20 s at a million shingled hashes).
 *
 * A snapshot is used only for the very file it was taken of: it records the store's size, modification time and
 * inode after the last connection closed (no WAL left). Anything that writes the store afterwards — rspamd, sqlite3,
 * a fuzzyd that crashed before it could save — changes those, and the index is rebuilt from the tables. Every
 * buffer carries a CRC-32, so a torn or damaged snapshot is never used either.
 *
 * Layout: MAGIC, u32 LE length of the JSON header, the header, then each buffer at an 8-byte boundary.
 */
const MAGIC = Buffer.from('fuzzyd index snapshot\n');
/** 2: the index keeps each hash's first write (`created`); a format-1 snapshot lacks it and is rebuilt from the file. */
const FORMAT = 2;
const IO_CHUNK = 64 * 1024 * 1024;
const crc32: ((data: Uint8Array, value?: number) => number) | undefined = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;

/** The store file as it is at rest; null while a WAL holds changes not in it (or it is missing). */
export interface StoreIdentity {
  size: string;
  mtimeNs: string;
  ino: string;
}

export const snapshotPathOf = (dbPath: string): string => `${dbPath}.fuzzyd-index`;

export async function storeIdentity(dbPath: string): Promise<StoreIdentity | null> {
  const wal = await stat(`${dbPath}-wal`).catch(() => null);
  if (wal && wal.size > 0) return null;
  const s = await stat(dbPath, { bigint: true }).catch(() => null);
  return s ? { size: String(s.size), mtimeNs: String(s.mtimeNs), ino: String(s.ino) } : null;
}

interface Header {
  format: number;
  identity: StoreIdentity;
  /** The image with each SharedArrayBuffer replaced by { buffer: i }. */
  image: unknown;
  buffers: { bytes: number; crc: number }[];
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export async function writeIndexSnapshot(path: string, image: FuzzyIndexImage, identity: StoreIdentity): Promise<{ bytes: number }> {
  if (!crc32) throw new Error('this Node.js has no zlib.crc32 (Node ≥ 22 does)');
  const buffers: SharedArrayBuffer[] = [];
  const plain = JSON.parse(
    JSON.stringify(image, (_key, value: unknown) => {
      if (value instanceof SharedArrayBuffer) return { buffer: buffers.push(value) - 1 };
      return value;
    }),
  ) as unknown;
  const header: Header = {
    format: FORMAT,
    identity,
    image: plain,
    buffers: buffers.map((b) => ({ bytes: b.byteLength, crc: crc32!(new Uint8Array(b)) })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const head = Buffer.concat([MAGIC, length, json]);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  let at = 0;
  try {
    await file.write(head, 0, head.length, 0);
    at = align8(head.length);
    for (const b of buffers) {
      const view = new Uint8Array(b);
      for (let off = 0; off < view.length; off += IO_CHUNK) {
        const n = Math.min(IO_CHUNK, view.length - off);
        await file.write(view, off, n, at + off);
      }
      at = align8(at + view.length);
    }
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  return { bytes: at };
}

/** The image a valid snapshot of this very store holds, or why there is none to use. */
export async function readIndexSnapshot(path: string, identity: StoreIdentity | null): Promise<{ image: FuzzyIndexImage } | { reason: string }> {
  if (!crc32) return { reason: 'this Node.js cannot check snapshots (no zlib.crc32)' };
  const file = await open(path, 'r').catch(() => null);
  if (!file) return { reason: 'no snapshot' };
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    await file.read(start, 0, start.length, 0);
    if (!start.subarray(0, MAGIC.length).equals(MAGIC)) return { reason: 'not a fuzzyd index snapshot' };
    const json = Buffer.alloc(start.readUInt32LE(MAGIC.length));
    await file.read(json, 0, json.length, start.length);
    const header = JSON.parse(json.toString('utf8')) as Header;
    if (header.format !== FORMAT) return { reason: `snapshot format ${header.format}, this fuzzyd reads ${FORMAT}` };
    if (!identity || JSON.stringify(header.identity) !== JSON.stringify(identity)) {
      return { reason: 'the store changed since the snapshot was taken' };
    }
    const buffers: SharedArrayBuffer[] = [];
    let at = align8(start.length + json.length);
    for (const [i, { bytes, crc }] of header.buffers.entries()) {
      const b = new SharedArrayBuffer(bytes);
      const view = new Uint8Array(b);
      for (let off = 0; off < bytes; off += IO_CHUNK) {
        const n = Math.min(IO_CHUNK, bytes - off);
        const { bytesRead } = await file.read(view, off, n, at + off);
        if (bytesRead !== n) return { reason: 'the snapshot is truncated' };
      }
      if (crc32(view) !== crc) return { reason: `the snapshot is damaged (buffer ${i} fails its CRC)` };
      buffers.push(b);
      at = align8(at + bytes);
    }
    const revive = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(revive);
      if (value && typeof value === 'object') {
        const o = value as Record<string, unknown>;
        if (Object.keys(o).length === 1 && typeof o.buffer === 'number') return buffers[o.buffer];
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
      }
      return value;
    };
    return { image: revive(header.image) as FuzzyIndexImage };
  } catch (err) {
    return { reason: `the snapshot cannot be read: ${(err as Error).message}` };
  } finally {
    await file.close();
  }
}

/** The index saved at the last clean shutdown when it was taken of this very file, or why not. */
export async function loadIndexSnapshot(dbPath: string, expireSeconds: number): Promise<{ index: FuzzyIndex; ms: number } | { reason: string }> {
  const started = performance.now();
  const snapshot = await readIndexSnapshot(snapshotPathOf(dbPath), await storeIdentity(dbPath));
  if (!('image' in snapshot)) return snapshot;
  return { index: new FuzzyIndex(expireSeconds, {}, snapshot.image), ms: Math.round(performance.now() - started) };
}

/** Saves `index` next to the store, which must be at rest (every connection closed); the outcome as a log line. */
export async function saveIndexSnapshot(dbPath: string, index: FuzzyIndex): Promise<string> {
  const identity = await storeIdentity(dbPath);
  if (!identity) return 'index snapshot not saved: the store still has a WAL (another process has it open?)';
  const started = performance.now();
  try {
    const { bytes } = await writeIndexSnapshot(snapshotPathOf(dbPath), index.toImage(), identity);
    return `index snapshot saved: ${(bytes / 1048576).toFixed(1)} MB in ${Math.round(performance.now() - started)} ms`;
  } catch (err) {
    return `index snapshot not saved: ${(err as Error).message}`;
  }
}
