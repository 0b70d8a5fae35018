/** Network buckets across a restart (ratelimit/bucket-file.ts): bans kept, expired or re-masked buckets left out. */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketFilePath, loadBuckets, saveBuckets } from '../../../server/src/ratelimit/bucket-file.js';
import { RateLimits, type RateLimitSettings } from '../../../server/src/ratelimit/rate-limits.js';
import { Command } from '../../../shared/protocol/constants.js';
import { rateLimitTestSettings as settings } from '../../helpers/rate-limit-settings.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

const limits = (over?: Partial<RateLimitSettings>): RateLimits => new RateLimits(settings(over), () => {});
const check = (l: RateLimits, address: string, now: number): string | null => l.admit(Command.Check, address, null, now);

describe('bucket file', () => {
  it('keeps a ban and a partly full bucket, with their creation times', () => {
    const path = bucketFilePath(dir.file('fuzzy.db'));
    const before = limits();
    for (let i = 0; i < 3; i++) check(before, '192.0.2.9', 100); // banned on the third
    check(before, '198.51.100.1', 100);
    expect(saveBuckets(before, path, 200)).toBe(2);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toContainEqual({ network: '192.0.2.0/24', level: null, last: 100, created: 100 });

    const after = limits();
    expect(loadBuckets(after, path, 300)).toBe(2);
    expect(check(after, '192.0.2.1', 300)).toBe('network'); // still banned
    expect(check(after, '198.51.100.7', 300)).toBeNull(); // level 1 → 2
    expect(check(after, '198.51.100.7', 300)).toBe('network'); // then full
    // The ban still ends ttl after the bucket's creation at 100, not after the restart.
    expect(check(after, '192.0.2.1', 3701)).toBeNull();
  });

  it('leaves out buckets past their ttl and buckets of another mask', () => {
    const path = bucketFilePath(dir.file('other/fuzzy.db'));
    const before = limits();
    check(before, '192.0.2.9', 100);
    expect(saveBuckets(before, path, 100)).toBe(0); // no such directory: nothing written, nothing thrown
    const path2 = bucketFilePath(dir.file('fuzzy2.db'));
    saveBuckets(before, path2, 100);
    expect(loadBuckets(limits(), path2, 100 + 3601)).toBe(0);
    expect(loadBuckets(limits({ networkMask: 16 }), path2, 200)).toBe(0);
    expect(loadBuckets(limits(), path2, 200)).toBe(1);
  });
});
