import type { ServerKey } from '../keys/server-key.js';

/**
 * Which row of the per-key statistics (key-flag-counters.ts) a server key counts in, the same on every thread.
 * The table lives in a SharedArrayBuffer: the main thread is its only writer and gives a key a row when the key
 * enters the key ring (static at start, a dynamic map reload, a key added over the API) or, failing that, at its
 * first request on the main thread; UDP threads only read it.
 *
 * A row is never given to another key for the life of the process: it belongs to one public key, so a request
 * decided with a key object that has since been swapped out of the ring (a WRITE still committing, a thread whose
 * ring is a moment old) still counts for that very key, never for whichever key came next. The price is the bound:
 * after MAX_STAT_KEYS distinct public keys, further ones count in the `other` row. The same public key coming
 * back (a map reload, changed extensions) keeps its row.
 *
 * Layout: Int32 [0] the number of rows given (published with Atomics.store after the key's bytes are written), then
 * 32 bytes of public key per row from byte 8.
 */
export const PLAINTEXT_ROW = 0;
export const OTHER_KEY_ROW = 1;
export const FIRST_KEY_ROW = 2;
/** Distinct public keys that get a row of their own; later ones count as `other`. */
export const MAX_STAT_KEYS = 256;

/** How much of a public key a stats row shows: enough to tell keys apart, as in logs (server-key.ts keyLabel). */
export const PUBKEY_START = 12;

const HEADER_BYTES = 8;
const PUBLIC_KEY_BYTES = 32;

/** What the main thread keeps about the key of a row, for the admin API (never anything secret). */
export interface KeyRowInfo {
  id: string;
  pubkey: string;
  name: string | null;
  source: ServerKey['source'];
}

export class KeySlotTable {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly count: Int32Array;
  private readonly bytes: Uint8Array;
  /** Rows already known to this thread, by the public key's hex (filled from the shared part as it grows). */
  private readonly rows = new Map<string, number>();
  private indexed = 0;
  /** Each key object's row once found: a request costs a WeakMap lookup at most, the same key twice in a row none. */
  private readonly byObject = new WeakMap<ServerKey, number>();
  private lastKey: ServerKey | null = null;
  private lastRow = OTHER_KEY_ROW;
  private readonly info = new Map<number, KeyRowInfo>();

  /**
   * `owner`: the main thread, which gives rows; a UDP thread passes the owner's buffer and only looks rows up.
   * `capacity` is for tests of the bound; a view of another thread's buffer takes it from the buffer's size.
   */
  constructor(
    private readonly owner: boolean,
    buffer?: SharedArrayBuffer,
    capacity = MAX_STAT_KEYS,
  ) {
    this.buffer = buffer ?? new SharedArrayBuffer(HEADER_BYTES + capacity * PUBLIC_KEY_BYTES);
    this.capacity = (this.buffer.byteLength - HEADER_BYTES) / PUBLIC_KEY_BYTES;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError(`not a key slot table: ${this.buffer.byteLength} bytes`);
    this.count = new Int32Array(this.buffer, 0, 1);
    this.bytes = new Uint8Array(this.buffer, HEADER_BYTES);
  }

  /** Rows for key counts in a counter block: plaintext, other, then one per key. */
  get rowCount(): number {
    return FIRST_KEY_ROW + this.capacity;
  }

  /** Keys given a row so far. */
  get assigned(): number {
    return Atomics.load(this.count, 0);
  }

  get full(): boolean {
    return this.assigned >= this.capacity;
  }

  /** The row a request encrypted to `key` counts in (plaintext: null). On the main thread an unknown key gets a row. */
  rowOf(key: ServerKey | null): number {
    if (key === null) return PLAINTEXT_ROW;
    if (key === this.lastKey) return this.lastRow;
    let row = this.byObject.get(key);
    if (row === undefined) {
      row = this.owner ? this.assign(key) : (this.find(key.publicKey) ?? OTHER_KEY_ROW);
      // A reader that does not find a key yet (the main thread has not got to it) asks again next time.
      if (row === OTHER_KEY_ROW && !this.full) return row;
      this.byObject.set(key, row);
    }
    this.lastKey = key;
    this.lastRow = row;
    return row;
  }

  /** Main thread: the key's row, given now if it has none (OTHER_KEY_ROW once the table is full). */
  assign(key: ServerKey): number {
    if (!this.owner) throw new Error('only the main thread gives key rows');
    const known = this.find(key.publicKey);
    const row = known ?? this.append(key.publicKey);
    if (row !== OTHER_KEY_ROW) this.info.set(row, { id: key.id, pubkey: key.pubkey, name: key.name, source: key.source });
    return row;
  }

  /** The row of a public key if it has one; never gives one. */
  find(publicKey: Uint8Array): number | undefined {
    this.indexNew();
    return this.rows.get(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex'));
  }

  /** Main thread: the key of each row given, as last seen in the ring. */
  rowInfo(row: number): KeyRowInfo | undefined {
    return this.info.get(row);
  }

  private append(publicKey: Uint8Array): number {
    const n = this.count[0];
    if (n >= this.capacity) return OTHER_KEY_ROW;
    this.bytes.set(publicKey, n * PUBLIC_KEY_BYTES);
    // The bytes first, then the count: a reader that sees the count sees the key.
    Atomics.store(this.count, 0, n + 1);
    this.indexNew();
    return FIRST_KEY_ROW + n;
  }

  private indexNew(): void {
    const n = Atomics.load(this.count, 0);
    for (; this.indexed < n; this.indexed++) {
      const at = this.indexed * PUBLIC_KEY_BYTES;
      this.rows.set(Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, PUBLIC_KEY_BYTES).toString('hex'), FIRST_KEY_ROW + this.indexed);
    }
  }
}
