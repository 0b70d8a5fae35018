/** What a source's earlier copy of an update datagram led to. */
export type RetransmitState = 'pending' | 'done';

/**
 * Remembers recent updates by (source, tag, digest). rspamd's client resends an unanswered WRITE after its timeout
 * (1-2 s, up to 3 times; spec/fuzzy-protocol.md §10), and rspamd adds the weight twice; fuzzyd answers a resend
 * without applying it again. Only a state is kept, no reply: an accepted update's reply is fully determined by the
 * request (value 0, prob 1, flag and digest echoed), so it is rebuilt from the resend. Entries are plain strings and
 * numbers in one Map, which the garbage collector copies cheaply.
 */
export class RetransmitCache {
  /** key → time of the first copy (ms); negated while its update is still committing. */
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs = 6_000,
    private readonly maxEntries = 200_000,
  ) {}

  static key(address: string, port: number, tag: number, digest: Buffer): string {
    return `${address}|${port}|${tag}|${digest.toString('latin1', 0, 16)}`;
  }

  lookup(key: string, now = Date.now()): RetransmitState | undefined {
    this.evict(now);
    const at = this.entries.get(key);
    return at === undefined ? undefined : at < 0 ? 'pending' : 'done';
  }

  begin(key: string, now = Date.now()): void {
    this.entries.set(key, -now);
  }

  /** `accepted` false forgets the key, so a resend is applied (the first copy was never acknowledged). */
  finish(key: string, accepted: boolean): void {
    const at = this.entries.get(key);
    if (at === undefined) return;
    if (accepted) this.entries.set(key, Math.abs(at));
    else this.entries.delete(key);
  }

  private evict(now: number): void {
    for (const [key, at] of this.entries) {
      if (now - Math.abs(at) <= this.ttlMs && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
