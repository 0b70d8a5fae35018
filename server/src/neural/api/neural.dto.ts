import { ApiProperty } from '@nestjs/swagger';
import type {
  NeuralClass, NeuralJob, NeuralJobEpoch, NeuralJobState, NeuralJobTrigger, NeuralJobVectors, NeuralLockInfo,
  NeuralProfileDeleteResult, NeuralProfileItem, NeuralSetItem, NeuralTrainAccepted, NeuralUnlockResult,
  NeuralVectorCounts, NeuralVectorPush, NeuralVectorPushResult,
} from '../../../../shared/api/neural.js';

/** OpenAPI shapes of the neural routes; the types themselves live in shared/api/neural.ts. */

const LAYOUT = { type: String, enum: ['set', 'list', 'none'] };
const NULLABLE_NUMBER = { type: Number, nullable: true };
const NULLABLE_STRING = { type: String, nullable: true };

export class NeuralProfileItemDto implements NeuralProfileItem {
  @ApiProperty({ type: Number }) version: number;
  @ApiProperty({ type: String, description: '103-character symbols digest' }) digest: string;
  @ApiProperty({ type: String, example: 'rn_default_default_5rmbwnuk_1' }) redisKey: string;
  @ApiProperty({ type: Number, description: 'Symbol count; input width is 26 + this' }) symbols: number;
  @ApiProperty({ type: Number }) annBytes: number;
  @ApiProperty({ type: Boolean }) hasAnn: boolean;
  @ApiProperty({ type: Boolean }) pca: boolean;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Seconds until ann_expire' }) ttl: number | null;
  @ApiProperty({ type: Number, description: 'Zset score (unix seconds)' }) score: number;
  @ApiProperty({ type: Boolean }) current: boolean;
}

export class NeuralLockInfoDto implements NeuralLockInfo {
  @ApiProperty({ type: Boolean, description: 'A lock field exists (rspamd stores no vectors)' }) locked: boolean;
  @ApiProperty({ type: Boolean, description: 'A trainer holds it (not stale)' }) held: boolean;
  @ApiProperty(NULLABLE_STRING) hostname: string | null;
  @ApiProperty(NULLABLE_NUMBER) lockTime: number | null;
  @ApiProperty(NULLABLE_NUMBER) ageSeconds: number | null;
  @ApiProperty(NULLABLE_NUMBER) expiresAt: number | null;
}

export class NeuralVectorCountsDto implements NeuralVectorCounts {
  @ApiProperty({ type: Number }) spam: number;
  @ApiProperty({ type: Number }) ham: number;
  @ApiProperty(LAYOUT) layout: 'set' | 'list' | 'none';
}

export class NeuralInvalidProfileDto {
  @ApiProperty({ type: String }) member: string;
  @ApiProperty({ type: String }) reason: string;
}

export class NeuralSetItemDto implements NeuralSetItem {
  @ApiProperty({ type: String }) rule: string;
  @ApiProperty({ type: String }) settings: string;
  @ApiProperty({ type: String, example: 'rn2_default_1_default' }) zsetKey: string;
  @ApiProperty({ type: Boolean }) configured: boolean;
  @ApiProperty({ type: Number }) maxTrains: number;
  @ApiProperty({ type: Number }) watchInterval: number;
  @ApiProperty({ type: [NeuralProfileItemDto] }) profiles: NeuralProfileItemDto[];
  @ApiProperty({ type: [NeuralInvalidProfileDto] }) invalidProfiles: NeuralInvalidProfileDto[];
  @ApiProperty({ type: NeuralVectorCountsDto }) vectors: NeuralVectorCountsDto;
  @ApiProperty({ type: NeuralLockInfoDto }) lock: NeuralLockInfoDto;
  @ApiProperty(NULLABLE_STRING) activeJobId: string | null;
}

export class NeuralJobEpochDto implements NeuralJobEpoch {
  @ApiProperty({ type: Number }) epoch: number;
  @ApiProperty({ type: Number }) trainCost: number;
  @ApiProperty(NULLABLE_NUMBER) validationCost: number | null;
}

export class NeuralJobVectorsDto implements NeuralJobVectors {
  @ApiProperty({ type: Number }) spam: number;
  @ApiProperty({ type: Number }) ham: number;
  @ApiProperty(LAYOUT) layout: 'set' | 'list' | 'none';
  @ApiProperty({ type: Number }) invalid: number;
  @ApiProperty({ type: Number }) wrongWidth: number;
  @ApiProperty({ type: Number }) expectedWidth: number;
}

export class NeuralJobDto implements NeuralJob {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) rule: string;
  @ApiProperty({ type: String }) settings: string;
  @ApiProperty({ type: String, enum: ['manual', 'auto'] }) trigger: NeuralJobTrigger;
  @ApiProperty({ type: String, enum: ['queued', 'running', 'succeeded', 'failed'] }) state: NeuralJobState;
  @ApiProperty({ type: Number }) epoch: number;
  @ApiProperty({ type: Number }) maxEpochs: number;
  @ApiProperty(NULLABLE_NUMBER) trainCost: number | null;
  @ApiProperty(NULLABLE_NUMBER) validationCost: number | null;
  @ApiProperty(NULLABLE_NUMBER) bestValidationCost: number | null;
  @ApiProperty({ type: [NeuralJobEpochDto] }) history: NeuralJobEpochDto[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ ...NULLABLE_STRING, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ ...NULLABLE_STRING, format: 'date-time' }) finishedAt: string | null;
  @ApiProperty(NULLABLE_NUMBER) fromVersion: number | null;
  @ApiProperty(NULLABLE_STRING) oldKey: string | null;
  @ApiProperty(NULLABLE_NUMBER) publishedVersion: number | null;
  @ApiProperty(NULLABLE_STRING) newKey: string | null;
  @ApiProperty({ type: NeuralJobVectorsDto, nullable: true }) vectors: NeuralJobVectorsDto | null;
  @ApiProperty(NULLABLE_NUMBER) nInputs: number | null;
  @ApiProperty(NULLABLE_NUMBER) hidden: number | null;
  @ApiProperty(NULLABLE_STRING) error: string | null;
}

export class NeuralTrainAcceptedDto implements NeuralTrainAccepted {
  @ApiProperty({ type: String }) jobId: string;
  @ApiProperty({ type: String, enum: ['queued', 'running', 'succeeded', 'failed'] }) state: NeuralJobState;
}

export class NeuralVectorPushDto implements NeuralVectorPush {
  @ApiProperty({ type: String, enum: ['spam', 'ham'] }) class: NeuralClass;
  @ApiProperty({ type: [Number], description: '26 metatokens, then one value per profile symbol' }) values: number[];
}

export class NeuralVectorPushResultDto implements NeuralVectorPushResult {
  @ApiProperty({ type: Boolean }) stored: boolean;
  @ApiProperty({ type: String, description: 'The sampling decision (spec §5.4), lock or duplicate' }) reason: string;
  @ApiProperty({ type: NeuralVectorCountsDto }) vectors: NeuralVectorCountsDto;
  @ApiProperty({ type: String }) redisKey: string;
  @ApiProperty({ type: Number }) version: number;
}

export class NeuralUnlockResultDto implements NeuralUnlockResult {
  @ApiProperty({ type: Boolean }) removed: boolean;
  @ApiProperty({ type: [String] }) keys: string[];
}

export class NeuralProfileDeleteResultDto implements NeuralProfileDeleteResult {
  @ApiProperty({ type: Number }) removed: number;
  @ApiProperty({ type: Number }) deletedKeys: number;
}
