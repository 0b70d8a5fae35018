import { SetMetadata } from '@nestjs/common';
import type { TokenScope } from '../../../shared/api/api-types.js';

export const SCOPE_KEY = 'fuzzyd:scope';

/** The token scope a route (or every route of a controller) needs. API routes without one need `admin`. */
export const RequireScope = (scope: TokenScope): MethodDecorator & ClassDecorator => SetMetadata(SCOPE_KEY, scope);
