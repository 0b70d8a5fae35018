import type { Redis } from 'ioredis';
import { vectorListKey, vectorSetKey, type VectorClass } from './neural-keys.js';
import { execAll } from './redis-pipeline.js';
import { classLayout, detectLayout, pickCounts, type VectorKeyTypes } from './vector-layout.js';
import type { PushedVector, StoredVectors, VectorCounts } from './neural-redis.types.js';

/**
 * Vector storage of one ANN key in either layout (spec/neural.md §5.2, §14). Both layouts are told apart by TYPE
 * first, so a count or read never hits a WRONGTYPE error.
 */

export async function readVectorKeyTypes(client: Redis, annKey: string): Promise<VectorKeyTypes> {
  const [spamSet, hamSet, spamList, hamList] = (await execAll(
    client
      .pipeline()
      .type(vectorSetKey(annKey, 'spam'))
      .type(vectorSetKey(annKey, 'ham'))
      .type(vectorListKey(annKey, 'spam'))
      .type(vectorListKey(annKey, 'ham')),
  )) as string[];
  return { spamSet, hamSet, spamList, hamList };
}

export async function countVectors(client: Redis, annKey: string): Promise<VectorCounts> {
  const t = await readVectorKeyTypes(client, annKey);
  const p = client.pipeline();
  const slots: Array<keyof VectorKeyTypes> = [];
  if (t.spamSet === 'set') slots.push('spamSet') && p.scard(vectorSetKey(annKey, 'spam'));
  if (t.hamSet === 'set') slots.push('hamSet') && p.scard(vectorSetKey(annKey, 'ham'));
  if (t.spamList === 'list') slots.push('spamList') && p.llen(vectorListKey(annKey, 'spam'));
  if (t.hamList === 'list') slots.push('hamList') && p.llen(vectorListKey(annKey, 'ham'));
  const values = slots.length === 0 ? [] : await execAll(p);
  const n: Record<keyof VectorKeyTypes, number> = { spamSet: 0, hamSet: 0, spamList: 0, hamList: 0 };
  slots.forEach((slot, i) => (n[slot] = values[i] as number));
  const sets = { spam: n.spamSet, ham: n.hamSet };
  const lists = { spam: n.spamList, ham: n.hamList };
  const layout = detectLayout(t);
  return { ...pickCounts(layout, sets, lists), layout, sets, lists };
}

/** SMEMBERS or LRANGE 0 -1 per class, as Buffers: the frames are binary zstd data. */
export async function readVectorFrames(client: Redis, annKey: string): Promise<StoredVectors> {
  const t = await readVectorKeyTypes(client, annKey);
  const read = (cls: VectorClass): Promise<Buffer[]> => {
    const where = classLayout(t, cls);
    if (where === 'set') return client.smembersBuffer(vectorSetKey(annKey, cls));
    if (where === 'list') return client.lrangeBuffer(vectorListKey(annKey, cls), 0, -1);
    return Promise.resolve([]);
  };
  const [spam, ham] = await Promise.all([read('spam'), read('ham')]);
  return { spam, ham, layout: detectLayout(t) };
}

/** SADD (3.4), or LPUSH when this class already lives in a 2020 LIST and has no SET, so one key keeps one layout. */
export async function pushVectorFrame(
  client: Redis,
  annKey: string,
  cls: VectorClass,
  frame: Buffer,
): Promise<PushedVector> {
  const [setType, listType] = (await execAll(
    client.pipeline().type(vectorSetKey(annKey, cls)).type(vectorListKey(annKey, cls)),
  )) as string[];
  if (setType === 'none' && listType === 'list') {
    await client.lpush(vectorListKey(annKey, cls), frame);
    return { layout: 'list', added: true };
  }
  // A SET collapses identical rows (§5.2): `added` is false for a duplicate.
  return { layout: 'set', added: (await client.sadd(vectorSetKey(annKey, cls), frame)) === 1 };
}
