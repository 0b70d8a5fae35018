import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { schemaRef } from './api-schemas.js';
import { Problem } from '../../../shared/api/problem.js';

/** Every admin API route lives under this prefix (the dashboard, /health, /metrics and /docs do not). */
export const API_V1 = 'api/v1';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `field` names what failed',
  401: 'Missing or invalid bearer token',
  403: 'The token scope is too narrow',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  501: 'Not available with the configured backend (Redis)',
};

/** The problem+json content of an error answer, for routes that document statuses of their own. */
export const PROBLEM_CONTENT = { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef(Problem) } };

/** Documents the problem+json answers of a route, plus the bearer auth every API route needs. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, 403, ...statuses].map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], content: PROBLEM_CONTENT })),
  );
}
