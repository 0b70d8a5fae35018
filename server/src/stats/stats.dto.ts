import { ApiProperty } from '@nestjs/swagger';
import type { RequestCount, StatsMinute, StatsResponse } from '../../../shared/api/api-types.js';

export class RequestCountDto implements RequestCount {
  @ApiProperty({ type: String, example: 'check' })
  command: string;

  @ApiProperty({ type: String, example: 'hit' })
  result: string;

  @ApiProperty({ type: 'integer' })
  count: number;
}

export class StatsMinuteDto implements StatsMinute {
  @ApiProperty({ type: 'integer', description: 'Start of the minute, unix ms' })
  at: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { check: 120, write: 3 } })
  requests: Record<string, number>;

  @ApiProperty({ type: 'integer' })
  hits: number;

  @ApiProperty({ type: 'integer' })
  invalid: number;

  @ApiProperty({ type: 'integer' })
  denied: number;
}

class FlagCountDto {
  @ApiProperty({ type: 'integer' })
  flag: number;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: 'integer' })
  count: number;
}

class HashTotalsDto {
  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: [FlagCountDto] })
  byFlag: FlagCountDto[];
}

export class StatsResponseDto implements StatsResponse {
  @ApiProperty({ type: 'integer', description: 'Unix ms' })
  startedAt: number;

  @ApiProperty({ type: 'integer' })
  uptimeSeconds: number;

  @ApiProperty({ type: HashTotalsDto })
  hashes: HashTotalsDto;

  @ApiProperty({ type: [RequestCountDto], description: 'UDP requests since start, by command and result' })
  requests: RequestCountDto[];

  @ApiProperty({ type: 'integer', description: 'Datagrams that could not be decoded' })
  invalid: number;

  @ApiProperty({ type: 'integer', description: 'Datagrams dropped from blocked networks' })
  blocked: number;

  @ApiProperty({ type: 'integer', description: 'Writes refused (not in allow-update, or read-only)' })
  denied: number;

  @ApiProperty({ type: 'integer', description: 'Retransmissions answered from the cache' })
  duplicates: number;

  @ApiProperty({ type: [StatsMinuteDto], description: 'Per-minute buckets, oldest first; quiet minutes are left out' })
  history: StatsMinuteDto[];

  @ApiProperty({ type: 'integer', description: 'Unix ms, start of the history window' })
  historyFrom: number;

  @ApiProperty({ type: 'integer', description: 'Unix ms, end of the history window (exclusive)' })
  historyTo: number;
}
