import type { ProfileInfo, ProfileListing } from './redis/neural-redis.types.js';

/** rspamd 3.4's metatokens at the start of every vector (spec/neural.md §5.1, lua_meta version 1). */
export const METATOKEN_COUNT = 26;

/** Width of a training row for a profile: the metatokens, then one value per profile symbol (§5.1). */
export function vectorWidth(symbolCount: number): number {
  return METATOKEN_COUNT + symbolCount;
}

/**
 * The profile a training starts from and new vectors go to (spec §7 step 2, §15 step 1): the highest-scored profile
 * whose symbols are the set's symbols. For a static profile those are the configured symbols (same digest); for a
 * set whose symbols fuzzyd cannot know (rspamd derives them from its registered symbols), the newest profile's own.
 * The repository marks exactly that profile `current`.
 */
export function currentProfile(listing: ProfileListing): ProfileInfo | null {
  return listing.profiles.find((p) => p.current) ?? null;
}
