import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  HashCreate,
  HashDetail,
  HashItem,
  HashPage,
  HashPatch,
  HashWriteResult,
  ImportReject,
  ImportResult,
  WriteStatus,
} from '../../../shared/api/api-types.js';

const DIGEST = { type: String, pattern: '^[0-9a-f]{128}$', description: '64-byte digest as 128 hex characters' };
const SHINGLE = { type: 'string', pattern: '^[0-9]{1,20}$', description: 'u64 as a decimal string' } as const;

export class HashItemDto implements HashItem {
  @ApiProperty(DIGEST)
  digest: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 255 })
  flag: number;

  @ApiProperty({ type: String, nullable: true, example: 'spam' })
  flagName: string | null;

  @ApiProperty({ type: 'integer' })
  value: number;

  @ApiProperty({ type: 'integer', description: 'Unix seconds of the last WRITE' })
  time: number;

  @ApiProperty({ type: 'integer', description: 'Shingle rows owned (32 or 0)' })
  shingles: number;
}

export class HashPageDto implements HashPage {
  @ApiProperty({ type: [HashItemDto] })
  items: HashItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export class HashDetailDto implements HashDetail {
  @ApiProperty(DIGEST)
  digest: string;

  @ApiProperty({ type: 'integer' })
  flag: number;

  @ApiProperty({ type: String, nullable: true })
  flagName: string | null;

  @ApiProperty({ type: 'integer' })
  value: number;

  @ApiProperty({ type: 'integer' })
  time: number;

  @ApiProperty({ type: [String], description: '32 shingles in position order (u64 decimal; null = taken over), or none' })
  shingles: (string | null)[];
}

export class HashCreateDto implements HashCreate {
  @ApiProperty(DIGEST)
  digest: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 255 })
  flag: number;

  @ApiProperty({ type: 'integer', minimum: -2147483648, maximum: 2147483647 })
  value: number;

  @ApiPropertyOptional({ type: [String], minItems: 32, maxItems: 32, items: SHINGLE })
  shingles?: string[];
}

export class HashPatchDto implements HashPatch {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 255 })
  flag?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: -2147483648, maximum: 2147483647 })
  value?: number;
}

export class HashWriteResultDto implements HashWriteResult {
  @ApiProperty({ enum: ['added', 'updated', 'reflagged'] })
  status: WriteStatus;

  @ApiProperty({ type: HashItemDto })
  hash: HashItemDto;
}

export class ImportRejectDto implements ImportReject {
  @ApiProperty({ type: 'integer' })
  line: number;

  @ApiProperty({ type: String })
  error: string;
}

export class ImportResultDto implements ImportResult {
  @ApiProperty({ type: 'integer' })
  added: number;

  @ApiProperty({ type: 'integer' })
  updated: number;

  @ApiProperty({ type: 'integer' })
  rejected: number;

  @ApiProperty({ type: [ImportRejectDto], description: 'The first 1000 rejects, in line order' })
  rejects: ImportRejectDto[];

  @ApiProperty({ type: 'integer', description: 'Non-blank lines read' })
  lines: number;
}
