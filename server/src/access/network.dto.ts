import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { NetworkCreate, NetworkItem } from '../../../shared/api/api-types.js';

export class NetworkItemDto implements NetworkItem {
  @ApiProperty({ type: String, example: '12', description: 'A number, or config-N for configuration entries' })
  id: string;

  @ApiProperty({ type: String, example: '10.0.0.0/8' })
  cidr: string;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ enum: ['config', 'api'] })
  source: 'config' | 'api';

  @ApiProperty({ type: Boolean })
  readOnly: boolean;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds' })
  createdAt: number | null;
}

export class NetworkCreateDto implements NetworkCreate {
  @ApiProperty({ type: String, example: '192.0.2.0/24', description: 'IPv4/IPv6 address or CIDR' })
  cidr: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  comment?: string | null;
}
