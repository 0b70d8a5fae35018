import { createHash, randomBytes } from 'node:crypto';
import type { TokenScope } from '../../../shared/api/api-types.js';

export const TOKEN_PREFIX = 'fzd_';

/** 256 random bits; the prefix makes leaked tokens easy to spot in code and logs. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are stored as SHA-256: they are random, so no slow hash is needed, and a lookup is one map access. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What lists show to tell tokens apart; never enough to guess one. */
export function tokenHint(token: string): string {
  return token.startsWith(TOKEN_PREFIX) && token.length >= 40 ? `${token.slice(0, TOKEN_PREFIX.length + 4)}…` : '…';
}

const RANK: Record<TokenScope, number> = { read: 0, write: 1, admin: 2 };

/** Scopes nest: read ⊂ write ⊂ admin. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return RANK[have] >= RANK[need];
}

/** The secret of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : null;
}
