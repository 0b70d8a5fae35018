import { ApiError } from '../common/api-error.js';
import type { HashCatalogue } from '../fuzzy/hash-catalogue.js';

/** The catalogue for a listing, search or export; 501 when the backend has none (Redis: hash-catalogue.ts says why). */
export function requireCatalogue(catalogue: HashCatalogue | null): HashCatalogue {
  if (!catalogue) throw new ApiError(501, 'listing, searching and exporting hashes need the SQLite backend (FUZZYD_BACKEND=sqlite)');
  return catalogue;
}
