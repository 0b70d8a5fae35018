import type { ChainableCommander } from 'ioredis';

/** Pipeline/MULTI results without ioredis' per-command error slots; the first error is thrown. */
export async function execAll(p: ChainableCommander): Promise<unknown[]> {
  const results = await p.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
