import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_SCOPES, type TokenCreate, type TokenCreated, type TokenItem, type TokenScope } from '../../../shared/api/api-types.js';

export class TokenItemDto implements TokenItem {
  @ApiProperty({ type: 'integer' })
  id: number;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ enum: TOKEN_SCOPES, description: 'read ⊂ write ⊂ admin' })
  scope: TokenScope;

  @ApiProperty({ type: String, example: 'fzd_Ab3x…' })
  hint: string;

  @ApiProperty({ enum: ['env', 'generated', 'api'] })
  origin: TokenItem['origin'];

  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  createdAt: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds (recorded to the minute)' })
  lastUsedAt: number | null;
}

export class TokenCreatedDto extends TokenItemDto implements TokenCreated {
  @ApiProperty({ type: String, description: 'The secret; shown only in this answer' })
  token: string;
}

export class TokenCreateDto implements TokenCreate {
  @ApiProperty({ type: String, maxLength: 100 })
  name: string;

  @ApiProperty({ enum: TOKEN_SCOPES })
  scope: TokenScope;
}
