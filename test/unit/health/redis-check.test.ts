import { describe, expect, it } from 'vitest';
import { redisCheck } from '../../../server/src/health/redis-check.js';

const DEFAULT = { url: 'redis://127.0.0.1:6379', configured: false };
const CONFIGURED = { url: 'redis://:secret@10.0.0.5:6379/2', configured: true };

describe('/health redis check', () => {
  it('a Redis the admin configured is required: down means degraded', () => {
    expect(redisCheck({ ok: false, detail: 'connect ECONNREFUSED' }, CONFIGURED)).toEqual({ ok: false, detail: 'connect ECONNREFUSED' });
    expect(redisCheck({ ok: true, detail: 'PONG' }, CONFIGURED)).toEqual({ ok: true, detail: 'PONG' });
  });

  it('the default address is optional: down is shown with what to set, up is shown as up', () => {
    const down = redisCheck({ ok: false, detail: 'connect ECONNREFUSED' }, DEFAULT);
    expect(down).toMatchObject({ ok: false, optional: true });
    expect(down.detail).toMatch(/^not reachable at the default address redis:\/\/127\.0\.0\.1:6379 \(connect ECONNREFUSED\); set FUZZYD_REDIS_URL/);
    expect(redisCheck({ ok: true, detail: 'PONG' }, DEFAULT)).toEqual({ ok: true, detail: 'PONG', optional: true });
  });
});
