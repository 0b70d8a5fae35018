import Type, { type Static } from 'typebox';
import { Nullable } from './formats.js';

/** `/api/v1/ratelimits`: the source networks the rate limit tracks now, and lifting a ban. */

export const RateLimitBucket = Type.Object({
  network: Type.String({ example: '192.0.2.0/24', description: 'The masked source network (ratelimit_network_mask)' }),
  banned: Type.Boolean({ description: 'Its CHECKs get 403 (PING/STAT no reply) until the bucket is ratelimit_bucket_ttl old' }),
  level: Nullable(Type.Number({ description: 'Requests in the bucket now (it leaks ratelimit_rate per second); null when banned' })),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time', description: 'When the bucket (and a ban) ends on its own' }),
});
export type RateLimitBucket = Static<typeof RateLimitBucket>;

export const RateLimitState = Type.Object({
  enabled: Type.Boolean({ description: 'ratelimit_rate and ratelimit_burst are both set' }),
  logOnly: Type.Boolean(),
  buckets: Type.Array(RateLimitBucket),
});
export type RateLimitState = Static<typeof RateLimitState>;

/** `DELETE /ratelimits?network=…`: the network as listed. */
export const RateLimitLiftQuery = Type.Object(
  { network: Type.String({ minLength: 1, maxLength: 64, example: '192.0.2.0/24', description: 'A network as GET /ratelimits lists it' }) },
  { additionalProperties: false },
);
export type RateLimitLiftQuery = Static<typeof RateLimitLiftQuery>;
