/**
 * Remembers recent update replies by (source, tag, digest). rspamd's client resends an unanswered WRITE after its
 * timeout, and rspamd adds the weight twice (spec/fuzzy-protocol.md §10); fuzzyd answers a resend from here instead
 * of applying it again.
 */
export class RetransmitCache {
  private readonly entries = new Map<string, { at: number; reply: Buffer | null }>();

  constructor(private readonly ttlMs = 10_000, private readonly maxEntries = 100_000) {}

  static key(address: string, port: number, tag: number, digest: Buffer): string {
    return `${address}|${port}|${tag}|${digest.toString('latin1', 0, 16)}`;
  }

  /** undefined: not seen; null: seen, reply still pending; Buffer: the reply sent. */
  lookup(key: string, now = Date.now()): Buffer | null | undefined {
    this.evict(now);
    return this.entries.get(key)?.reply;
  }

  begin(key: string, now = Date.now()): void {
    this.entries.set(key, { at: now, reply: null });
  }

  finish(key: string, reply: Buffer | null): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (reply) e.reply = reply;
    else this.entries.delete(key);
  }

  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.at <= this.ttlMs && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
