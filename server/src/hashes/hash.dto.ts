import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import type {
  HashCreate,
  HashDetail,
  HashFlag,
  HashFlagValue,
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

const FLAG = { type: 'integer', minimum: 0, maximum: 255 } as const;
const VALUE = { type: 'integer', minimum: -2147483648, maximum: 2147483647 } as const;
const PRIMARY = 'The primary slot (rspamd 3.x clients see this one; also `flags[0]`)';

export class HashFlagValueDto implements HashFlagValue {
  @ApiProperty(FLAG)
  flag: number;

  @ApiProperty(VALUE)
  value: number;
}

export class HashFlagDto implements HashFlag {
  @ApiProperty(FLAG)
  flag: number;

  @ApiProperty({ type: 'integer' })
  value: number;

  @ApiProperty({ type: String, nullable: true, example: 'spam' })
  flagName: string | null;
}

const FLAGS: ApiPropertyOptions = {
  type: [HashFlagDto],
  minItems: 1,
  maxItems: 8,
  description: 'Every (flag, value) slot, primary first: up to 8 with rspamd ≥ 4.0 clients, one flag at most once',
};

export class HashItemDto implements HashItem {
  @ApiProperty(DIGEST)
  digest: string;

  @ApiProperty({ ...FLAG, description: PRIMARY })
  flag: number;

  @ApiProperty({ type: String, nullable: true, example: 'spam' })
  flagName: string | null;

  @ApiProperty({ type: 'integer', description: PRIMARY })
  value: number;

  @ApiProperty(FLAGS)
  flags: HashFlagDto[];

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

  @ApiProperty({ ...FLAG, description: PRIMARY })
  flag: number;

  @ApiProperty({ type: String, nullable: true })
  flagName: string | null;

  @ApiProperty({ type: 'integer', description: PRIMARY })
  value: number;

  @ApiProperty(FLAGS)
  flags: HashFlagDto[];

  @ApiProperty({ type: 'integer' })
  time: number;

  @ApiProperty({ type: [String], description: '32 shingles in position order (u64 decimal; null = taken over), or none' })
  shingles: (string | null)[];
}

export class HashCreateDto implements HashCreate {
  @ApiProperty(DIGEST)
  digest: string;

  @ApiProperty(FLAG)
  flag: number;

  @ApiProperty(VALUE)
  value: number;

  @ApiPropertyOptional({ type: [String], minItems: 32, maxItems: 32, items: SHINGLE })
  shingles?: string[];
}

export class HashPatchDto implements HashPatch {
  @ApiPropertyOptional({ ...FLAG, description: 'New primary flag (not with `flags`)' })
  flag?: number;

  @ApiPropertyOptional({ ...VALUE, description: 'New primary value (not with `flags`)' })
  value?: number;

  @ApiPropertyOptional({
    type: [HashFlagValueDto],
    minItems: 1,
    maxItems: 8,
    description: 'Replaces every slot, first = primary; 1 to 8, no flag twice (not with `flag` or `value`)',
  })
  flags?: HashFlagValueDto[];
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
