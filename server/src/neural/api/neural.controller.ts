import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiParam, ApiQuery, ApiResponse, ApiTags,
} from '@nestjs/swagger';
import {
  NeuralJob, NeuralProfileDeleteResult, NeuralSetItem, NeuralTrainAccepted, NeuralUnlockResult, NeuralVectorPush,
  NeuralVectorPushResult,
} from '../../../../shared/api/neural.js';
import { RequireScope } from '../../auth/require-scope.decorator.js';
import { NotFoundError } from '../../common/api-error.js';
import { API_V1, ApiProblems, PROBLEM_CONTENT } from '../../common/api-docs.js';
import { listOf, schemaRef } from '../../common/api-schemas.js';
import { SchemaPipe } from '../../common/schema-input.js';
import { parseNameParam } from '../../common/validation.js';
import { NeuralTrainingService } from '../jobs/neural-training.service.js';
import { NeuralErrorInterceptor } from './neural-error.interceptor.js';
import { parseLayoutParam, parseSetParams, parseVersionParam } from './neural-input.js';
import { NeuralSetsService } from './neural-sets.service.js';

const SET = 'rules/:rule/settings/:settings';
const Unavailable = ApiResponse({
  status: 503,
  description: 'FUZZYD_REDIS_URL is set empty, or Redis is not reachable (fuzzyd reconnects by itself)',
  content: PROBLEM_CONTENT,
});
const Locked = ApiResponse({ status: 423, description: 'Another host holds the training lock', content: PROBLEM_CONTENT });
const SetParams = (): MethodDecorator =>
  applyDecorators(
    ApiParam({ name: 'rule', description: 'Rule name (or the rule prefix of a set found only in Redis)' }),
    ApiParam({ name: 'settings', description: 'Settings element name; `default` for messages without settings id' }),
    ApiQuery({
      name: 'layout',
      required: false,
      enum: ['3.4', '4.x'],
      description: "Which generation's data (`P2_R_1_S` or `P3_R_3_S`); default: the one FUZZYD_NEURAL_LAYOUT selects for the pair",
    }),
  );

/** rspamd's neural plugin state in Redis (docs/spec/neural.md), and fuzzyd's trainings of it. */
@ApiTags('neural')
@Controller(`${API_V1}/neural`)
@UseInterceptors(NeuralErrorInterceptor)
export class NeuralController {
  constructor(
    private readonly sets: NeuralSetsService,
    private readonly training: NeuralTrainingService,
  ) {}

  @Get('rules')
  @RequireScope('read')
  @ApiOkResponse({ schema: listOf(NeuralSetItem), description: 'Every rule × settings: profiles, vector counts, lock' })
  @ApiProblems()
  @Unavailable
  list(): Promise<NeuralSetItem[]> {
    return this.sets.list();
  }

  @Get(SET)
  @RequireScope('read')
  @SetParams()
  @ApiOkResponse({ schema: schemaRef(NeuralSetItem) })
  @ApiProblems(400, 404)
  @Unavailable
  get(@Param('rule') rule: string, @Param('settings') settings: string, @Query('layout') layout?: string): Promise<NeuralSetItem> {
    const p = parseSetParams(rule, settings);
    return this.sets.get(p.rule, p.settings, parseLayoutParam(layout));
  }

  @Post(`${SET}/train`)
  @RequireScope('write')
  @HttpCode(202)
  @SetParams()
  @ApiAcceptedResponse({ schema: schemaRef(NeuralTrainAccepted), description: 'Training queued; poll GET /neural/jobs/{jobId}' })
  @ApiProblems(400, 404, 409)
  @Locked
  @Unavailable
  async train(
    @Param('rule') rule: string,
    @Param('settings') settings: string,
    @Query('layout') layout?: string,
  ): Promise<NeuralTrainAccepted> {
    const p = parseSetParams(rule, settings);
    const job = await this.sets.train(p.rule, p.settings, parseLayoutParam(layout));
    return { jobId: job.id, state: job.state };
  }

  @Get('jobs')
  @RequireScope('read')
  @ApiOkResponse({ schema: listOf(NeuralJob), description: 'Jobs of this process, newest first (the last 50 finished)' })
  @ApiProblems()
  @Unavailable
  jobs(): NeuralJob[] {
    return this.training.jobs();
  }

  @Get('jobs/:id')
  @RequireScope('read')
  @ApiOkResponse({ schema: schemaRef(NeuralJob) })
  @ApiProblems(404)
  @Unavailable
  job(@Param('id') id: string): NeuralJob {
    const job = this.training.job(id);
    if (!job) throw new NotFoundError(`no neural job '${id}' (only the last 50 finished jobs are kept)`);
    return job;
  }

  @Delete(`${SET}/lock`)
  @RequireScope('write')
  @SetParams()
  @ApiOkResponse({ schema: schemaRef(NeuralUnlockResult), description: '`HDEL <key> lock` on every locked profile of the set' })
  @ApiProblems(400, 404, 409)
  @Unavailable
  unlock(
    @Param('rule') rule: string,
    @Param('settings') settings: string,
    @Query('layout') layout?: string,
  ): Promise<NeuralUnlockResult> {
    const p = parseSetParams(rule, settings);
    return this.sets.unlock(p.rule, p.settings, parseLayoutParam(layout));
  }

  @Delete(`${SET}/profiles/:version`)
  @RequireScope('write')
  @SetParams()
  @ApiParam({ name: 'version', type: Number })
  @ApiQuery({ name: 'digest', required: false, description: 'Only the profile with this digest' })
  @ApiOkResponse({ schema: schemaRef(NeuralProfileDeleteResult), description: 'Profile member, ANN hash and vectors removed' })
  @ApiProblems(400, 404, 409)
  @Unavailable
  deleteProfile(
    @Param('rule') rule: string,
    @Param('settings') settings: string,
    @Param('version') version: string,
    @Query('digest') digest?: string,
    @Query('layout') layout?: string,
  ): Promise<NeuralProfileDeleteResult> {
    const p = parseSetParams(rule, settings);
    const d = digest === undefined ? undefined : parseNameParam(digest, 'digest');
    return this.sets.deleteProfile(p.rule, p.settings, parseVersionParam(version), d, parseLayoutParam(layout));
  }

  @Post(`${SET}/vectors`)
  @RequireScope('write')
  @HttpCode(200)
  @SetParams()
  @ApiBody({ schema: schemaRef(NeuralVectorPush) })
  @ApiOkResponse({ schema: schemaRef(NeuralVectorPushResult), description: 'Stored, or why not (sampling, lock, duplicate)' })
  @ApiProblems(400, 404, 409)
  @Unavailable
  pushVector(
    @Param('rule') rule: string,
    @Param('settings') settings: string,
    @Body(new SchemaPipe(NeuralVectorPush)) body: NeuralVectorPush,
    @Query('layout') layout?: string,
  ): Promise<NeuralVectorPushResult> {
    const p = parseSetParams(rule, settings);
    return this.sets.pushVector(p.rule, p.settings, body, parseLayoutParam(layout));
  }
}
