import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { TokenScope } from '../../../shared/api/api-types.js';
import { ForbiddenError, UnauthorizedError } from '../common/api-error.js';
import { ApiTokenService } from './api-token.service.js';
import { SCOPE_KEY } from './require-scope.decorator.js';
import { bearerToken, scopeAllows } from './token-secret.js';

/** Attached to authenticated requests, for the request log (never the secret). */
export interface RequestToken {
  id: number;
  /** The token's name: who made a change, in the audit trail. */
  name: string;
  scope: TokenScope;
}

export function requestToken(request: FastifyRequest): RequestToken | undefined {
  return (request as FastifyRequest & { fuzzydToken?: RequestToken }).fuzzydToken;
}

/**
 * Global guard: every route under `/api` needs a bearer token with enough scope (401 without a valid token, 403 when
 * its scope is too narrow). An API route that forgot its @RequireScope needs `admin`, so a mistake fails closed.
 * Routes outside `/api` (health, metrics, docs, dashboard) are public.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const declared = this.reflector.getAllAndOverride<TokenScope | undefined>(SCOPE_KEY, [context.getHandler(), context.getClass()]);
    const path = request.routeOptions?.url ?? request.url;
    if (!declared && !/^\/api(\/|$)/.test(path)) return true;
    const need = declared ?? 'admin';

    const secret = bearerToken(request.headers.authorization);
    if (!secret) throw new UnauthorizedError('authorization: a bearer token is required (Authorization: Bearer <token>)');
    const token = this.tokens.authenticate(secret);
    if (!token) throw new UnauthorizedError('authorization: the bearer token is not valid');
    (request as FastifyRequest & { fuzzydToken?: RequestToken }).fuzzydToken = { id: token.id, name: token.name, scope: token.scope };
    if (!scopeAllows(token.scope, need)) {
      throw new ForbiddenError(`this route needs a token with scope '${need}'; this token has '${token.scope}'`);
    }
    return true;
  }
}
