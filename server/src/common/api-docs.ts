import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { Problem } from '../../../shared/api/api-types.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/** Every admin API route lives under this prefix (the dashboard, /health, /metrics and /docs do not). */
export const API_V1 = 'api/v1';

export class ProblemDto implements Problem {
  @ApiProperty({ type: String, example: 'about:blank' })
  type: string;

  @ApiProperty({ type: String, example: 'Bad Request' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ type: String, example: 'digest: must be 128 hex characters (got 12 characters)' })
  detail: string;

  @ApiPropertyOptional({ type: String, example: '/api/v1/hashes' })
  instance?: string;

  @ApiPropertyOptional({ type: String, example: 'digest', description: 'The request field that failed validation' })
  field?: string;
}

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

/** Documents the problem+json answers of a route, plus the bearer auth every API route needs. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, 403, ...statuses].map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } } }),
    ),
  );
}
