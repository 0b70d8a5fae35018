import type { ProfileInfo, ProfileListing } from './redis/neural-redis.types.js';

export { vectorWidth } from './redis/neural-layout.js';

/**
 * The profile a training starts from and new vectors go to (spec §7 step 2, §15 step 1; neural-4x.md §1.3 step 3).
 * The repository marks exactly that profile `current` (profile-listing.ts says how per layout).
 */
export function currentProfile(listing: ProfileListing): ProfileInfo | null {
  return listing.profiles.find((p) => p.current) ?? null;
}
