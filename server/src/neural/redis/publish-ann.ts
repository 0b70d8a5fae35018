import { annFamilyKeys } from './neural-keys.js';
import type { NeuralRedisClient } from './neural-scripts.js';
import type { SaveAnnParams } from './neural-redis.types.js';
import { serializeProfile } from './profile-codec.js';

/**
 * Publishes a trained ANN and releases the training lock, as the generation's own trainer does:
 * - 3.4: `save_unlock` (spec/neural.md §6.4) with 8 KEYS, or 9 with a PCA blob; then drops the trained-from vectors,
 *   which 3.4 itself forgets to do (§9.3);
 * - 4.x: the 4.1.1+ script (neural-4x.md §2.1: obsolete marking, old key and sets expire in 600 s, zset TTL), then
 *   deletes the pending sets the training read (NL:1349-1367).
 */
export async function publishAnn(client: NeuralRedisClient, params: SaveAnnParams): Promise<void> {
  const { profile } = params;
  // A trained version never carries `distance` (§15 step 4), whatever the caller passed.
  const { distance: _omit, ...published } = profile;
  const json = serializeProfile(published);
  const roc = params.rocThresholds ?? '[]';
  if (params.generation === '4.x') {
    await client.neuralSaveUnlock4x(
      profile.redis_key, params.zsetKey, params.oldKey, params.ann, json, String(params.annExpire), String(params.now),
      // fuzzyd trains symbols-only rules: no providers_meta, no norm_stats (neural-4x.md §1.4, checklist 8).
      roc, params.pca ?? '', '', '',
    );
    if (params.pendingKeys && params.pendingKeys.length > 0) await client.del(...params.pendingKeys);
    return;
  }
  const head = [
    profile.redis_key, params.zsetKey, params.ann, json, String(params.annExpire), String(params.now), params.oldKey, roc,
  ] as const;
  if (params.pca) await client.neuralSaveUnlock9(...head, params.pca);
  else await client.neuralSaveUnlock8(...head);
  if ((params.dropTrainedVectors ?? true) && params.oldKey !== profile.redis_key) {
    await client.del(...annFamilyKeys(params.oldKey).slice(1));
  }
}
