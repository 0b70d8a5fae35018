import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FlagInfo, FlagUpdate } from '../../../shared/api/api-types.js';

export class FlagInfoDto implements FlagInfo {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 255 })
  flag: number;

  @ApiProperty({ type: String, nullable: true, example: 'spam' })
  name: string | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'integer', description: 'Hashes stored with this flag' })
  count: number;
}

export class FlagUpdateDto implements FlagUpdate {
  @ApiProperty({ type: String, maxLength: 64, example: 'spam' })
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  description?: string | null;
}
