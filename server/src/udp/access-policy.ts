import { readFileSync } from 'node:fs';
import type { NetworkEntry } from './network-list.js';
import { NetworkList } from './network-list.js';

/**
 * Who may do what over UDP: writers (`allow_update`), dropped sources (`blocked`), digests refused on WRITE
 * (`skip_hashes`). Lists are swapped whole when the admin API changes them, so a datagram sees either the old or the
 * new list, never a mix.
 */
export class AccessPolicy {
  private allow: NetworkList;
  private block: NetworkList;
  private skip: ReadonlySet<string>;

  constructor(allowUpdate: readonly NetworkEntry[], blocked: readonly NetworkEntry[], skipHashes: Iterable<string> = []) {
    this.allow = new NetworkList(allowUpdate);
    this.block = new NetworkList(blocked);
    this.skip = new Set(skipHashes);
  }

  mayWrite(address: string): boolean {
    return this.allow.contains(address);
  }

  isBlocked(address: string): boolean {
    return this.block.size > 0 && this.block.contains(address);
  }

  isSkipped(digest: Buffer): boolean {
    return this.skip.size > 0 && this.skip.has(digest.toString('hex'));
  }

  get allowUpdate(): readonly NetworkEntry[] {
    return this.allow.entries;
  }

  get blocked(): readonly NetworkEntry[] {
    return this.block.entries;
  }

  setAllowUpdate(entries: readonly NetworkEntry[]): void {
    this.allow = new NetworkList(entries);
  }

  /** Told when `blocked` changes: UDP threads keep their own copy (udp-threads.ts). */
  onBlockedChange: (entries: readonly NetworkEntry[]) => void = () => {};

  setBlocked(entries: readonly NetworkEntry[]): void {
    this.block = new NetworkList(entries);
    this.onBlockedChange(this.block.entries);
  }
}

/** rspamd's `skip_hashes` map: one lowercase hex digest per line; `#` comments and blank lines ignored. */
export function readSkipHashesFile(path: string): string[] {
  const hashes: string[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const text = line.replace(/#.*/, '').trim().toLowerCase();
      if (!text) return;
      if (!/^[0-9a-f]{128}$/.test(text)) throw new Error(`FUZZYD_SKIP_HASHES: line ${i + 1} is not a 128-hex-digit digest`);
      hashes.push(text);
    });
  return hashes;
}
