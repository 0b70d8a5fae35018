import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { catchError, type Observable, throwError } from 'rxjs';
import { NeuralTrainingService } from '../jobs/neural-training.service.js';
import { toNeuralApiError } from '../neural-errors.js';

/**
 * Every neural route answers 503 "neural features are off" before looking at its input when no Redis
 * is configured, and Redis outages in any route become one 503 problem (the global problem filter renders both).
 */
@Injectable()
export class NeuralErrorInterceptor implements NestInterceptor {
  constructor(private readonly training: NeuralTrainingService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.training.require();
    return next.handle().pipe(catchError((err: unknown) => throwError(() => toNeuralApiError(err))));
  }
}
