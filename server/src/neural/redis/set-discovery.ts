import type { Redis } from 'ioredis';
import type { NeuralConfig } from '../neural-config.js';
import { parseProfilesKey, profilesKey, profilesKeyPattern, type KnownRuleSets } from './neural-keys.js';
import { layoutOf, NEURAL_GENERATIONS, type NeuralGeneration, type NeuralLayoutChoice } from './neural-layout.js';
import type { DiscoveredSet } from './neural-redis.types.js';
import { execAll } from './redis-pipeline.js';

/**
 * SCAN (never KEYS, spec/neural.md §15) for both generations' zsets (`P2_*`, `P3_*`), merged with every configured
 * rule × settings. A configured pair is listed in the generation `choice` selects (in `auto`: 4.x once its zset
 * exists, else 3.4) and, when it exists too, in the other one, marked not selected. The caller guards Redis errors.
 */
export async function discoverNeuralSets(
  client: Redis,
  config: NeuralConfig,
  choice: NeuralLayoutChoice,
): Promise<DiscoveredSet[]> {
  const found = new Map<string, DiscoveredSet>();
  for (const rule of Object.values(config.rules)) {
    for (const settings of rule.settings) {
      for (const generation of NEURAL_GENERATIONS) {
        const zsetKey = profilesKey(config.prefix, rule.prefix, settings, layoutOf(generation));
        const entry = { rule: rule.name, rulePrefix: rule.prefix, settings, zsetKey, generation };
        found.set(zsetKey, { ...entry, configured: true, exists: false, selected: false });
      }
    }
  }
  const candidates: Array<{ key: string; generation: NeuralGeneration }> = [];
  for (const generation of NEURAL_GENERATIONS) {
    const keys = await scanKeys(client, profilesKeyPattern(config.prefix, layoutOf(generation)));
    for (const key of keys) candidates.push({ key, generation });
  }
  const typeQuery = candidates.reduce((p, c) => p.type(c.key), client.pipeline());
  const types = candidates.length === 0 ? [] : await execAll(typeQuery);
  const known: KnownRuleSets[] = Object.values(config.rules).map((r) => ({ rulePrefix: r.prefix, settings: r.settings }));
  candidates.forEach(({ key: zsetKey, generation }, i) => {
    if (types[i] !== 'zset') return;
    const existing = found.get(zsetKey);
    if (existing) {
      existing.exists = true;
      return;
    }
    const parts = parseProfilesKey(zsetKey, config.prefix, known, layoutOf(generation));
    if (!parts) return;
    const rule = Object.values(config.rules).find((r) => r.prefix === parts.rulePrefix)?.name ?? parts.rulePrefix;
    const { rulePrefix, settings } = parts;
    found.set(zsetKey, { rule, rulePrefix, settings, zsetKey, generation, configured: false, exists: true, selected: false });
  });
  const sets = [...found.values()];
  const pair = (s: DiscoveredSet): string => JSON.stringify([s.rule, s.settings]);
  const with4x = new Set(sets.filter((s) => s.generation === '4.x' && s.exists).map(pair));
  for (const set of sets) {
    const chosen = choice !== 'auto' ? choice : with4x.has(pair(set)) ? '4.x' : '3.4';
    set.selected = set.generation === chosen;
  }
  return sets
    .filter((s) => s.exists || s.selected)
    .sort((a, b) => (a.zsetKey < b.zsetKey ? -1 : a.zsetKey > b.zsetKey ? 1 : 0));
}

async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const k of batch) keys.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...keys];
}
