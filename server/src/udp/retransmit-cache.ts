/** What a source's earlier copy of an update datagram led to. */
export type RetransmitState = 'pending' | 'done';

const WAYS = 8;
const TWO_32 = 0x1_0000_0000;

/**
 * Remembers recent updates by source and by the whole request (command, flag, value, tag, digest, shingles). rspamd's
 * client resends an unanswered WRITE after its timeout with the same tag (1-2 s, up to 3 times;
 * spec/fuzzy-protocol.md §10), and rspamd adds the weight twice; fuzzyd answers a true resend without applying it
 * again. Anything that differs in a single byte is another request and is applied: a DEL after a WRITE with the same
 * tag, a second WRITE with another value, another digest. Only a state is kept, no reply: an accepted update's reply
 * is fully determined by the request (value 0, prob 1, flag and digest echoed), so it is rebuilt from the resend.
 *
 * Everything lives in typed arrays, keyed by a 53-bit hash: entries outlive several young-generation collections,
 * and as heap objects (a Map of key strings) they were copied and promoted on every one of them, a steady source of
 * GC pauses on the thread that answers CHECKs. The table is 8-way set-associative; when all eight ways of a set hold
 * live entries the oldest is dropped, so a flood beyond `capacity` writes per TTL forgets resends, never grows.
 */
export class RetransmitCache {
  private readonly keys: Float64Array;
  /** Time of the first copy (ms); negated while its update is still committing; 0 = empty way. */
  private readonly times: Float64Array;
  private readonly setMask: number;

  constructor(
    private readonly ttlMs = 6_000,
    capacity = 1 << 19,
  ) {
    const sets = 1 << Math.max(1, Math.ceil(Math.log2(capacity / WAYS)));
    this.setMask = sets - 1;
    this.keys = new Float64Array(sets * WAYS);
    this.times = new Float64Array(sets * WAYS);
  }

  /**
   * A 53-bit key (two independent 32-bit mixes) of the source and the request bytes after the version byte: a client
   * that learns it may send version 5 resends the same command it first sent as 0x14.
   */
  static key(address: string, port: number, request: Buffer): number {
    let a = 0x811c9dc5 ^ port;
    let b = 0x9747b28c ^ request.length;
    for (let i = 0; i < address.length; i++) {
      const c = address.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    let i = 1;
    for (; i + 4 <= request.length; i += 4) {
      const w = request.readUInt32LE(i);
      a = Math.imul(a ^ w, 0x01000193);
      b = Math.imul(b ^ w, 0x5bd1e995);
      b ^= b >>> 15;
    }
    for (; i < request.length; i++) a = Math.imul(a ^ request[i], 0x01000193);
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    a ^= a >>> 13;
    b = Math.imul(b ^ port ^ (b >>> 13), 0xc2b2ae35);
    b ^= b >>> 16;
    return (a >>> 0) + (b & 0x1fffff) * TWO_32;
  }

  lookup(key: number, now = Date.now()): RetransmitState | undefined {
    const at = this.find(key, now);
    if (at < 0) return undefined;
    return this.times[at] < 0 ? 'pending' : 'done';
  }

  begin(key: number, now = Date.now()): void {
    const base = this.setOf(key);
    let slot = -1;
    let oldest = Infinity;
    for (let w = base; w < base + WAYS; w++) {
      const t = Math.abs(this.times[w]);
      if (this.keys[w] === key || t === 0 || now - t > this.ttlMs) {
        slot = w;
        break;
      }
      if (t < oldest) {
        oldest = t;
        slot = w;
      }
    }
    this.keys[slot] = key;
    this.times[slot] = -now;
  }

  /** `accepted` false forgets the key, so a resend is applied (the first copy was never acknowledged). */
  finish(key: number, accepted: boolean, now = Date.now()): void {
    const at = this.find(key, now);
    if (at < 0) return;
    if (accepted) this.times[at] = Math.abs(this.times[at]);
    else this.times[at] = 0;
  }

  private setOf(key: number): number {
    return ((key >>> 0) & this.setMask) * WAYS;
  }

  /** The way holding a live `key`, or -1. */
  private find(key: number, now: number): number {
    const base = this.setOf(key);
    for (let w = base; w < base + WAYS; w++) {
      const t = this.times[w];
      if (t !== 0 && this.keys[w] === key && now - Math.abs(t) <= this.ttlMs) return w;
    }
    return -1;
  }
}
