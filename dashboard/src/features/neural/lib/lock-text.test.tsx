// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { describeLock } from './lock-text';

const base = { locked: true, held: true, hostname: 'mx1', lockTime: 1000, ageSeconds: 30, expiresAt: 1120 };

describe('describeLock', () => {
  it('unlocked', () => {
    expect(describeLock({ locked: false, held: false, hostname: null, lockTime: null, ageSeconds: null, expiresAt: null })).toMatchObject({ tone: 'ok', label: 'Unlocked' });
  });

  it('held: who, for how long, and when it expires (counting on between polls)', () => {
    const v = describeLock(base, 15);
    expect(v.tone).toBe('warn');
    expect(v.label).toBe('Training');
    expect(v.text).toContain('Held by mx1 for 45 s');
    expect(v.text).toContain('(in 1 min 15 s)');
  });

  it('a held lock whose expiry passed since the fetch turns stale', () => {
    expect(describeLock(base, 100)).toMatchObject({ tone: 'danger', label: 'Stale lock' });
  });

  it('stale: still blocks new vectors, which the text says', () => {
    const v = describeLock({ ...base, held: false, ageSeconds: 500 });
    expect(v.label).toBe('Stale lock');
    expect(v.text).toMatch(/Left by mx1 8 min 20 s ago/);
    expect(v.text).toMatch(/Scanners add no vectors/);
  });

  it('a lock value that is not a time never expires by itself', () => {
    expect(describeLock({ ...base, held: false, lockTime: null, ageSeconds: null, expiresAt: null })).toMatchObject({ tone: 'danger', label: 'Locked (bad value)' });
  });
});
