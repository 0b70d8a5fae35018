import type { Redis } from 'ioredis';

/**
 * `wait_replicas` (docs/spec/redis.md §4): an update is acknowledged only once `replicas` replicas hold it, so a
 * failover to one of them cannot lose it. Redis's WAIT covers everything the connection wrote before it, so one WAIT
 * per event-loop turn serves every update whose compare-and-set was answered in that turn, instead of one each.
 *
 * A WAIT answered by another connection than the one that carried the write (the client reconnected to a new primary
 * in between) proves nothing about it: such a batch fails, and its updates are not acknowledged.
 */
export class ReplicaAck {
  private batch: Promise<void> | null = null;
  private batchEpoch = 0;
  private epoch = 0;

  constructor(
    private readonly redis: Redis,
    private readonly replicas: number,
    private readonly timeoutMs: number,
  ) {
    redis.on('close', () => this.epoch++);
  }

  /** Resolves when enough replicas hold every write this connection made so far; rejects otherwise. */
  confirm(): Promise<void> {
    if (this.replicas === 0) return Promise.resolve();
    if (this.batch && this.batchEpoch === this.epoch) return this.batch;
    const epoch = (this.batchEpoch = this.epoch);
    const batch = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      // Later updates join the next WAIT: this one was sent before their writes were.
      if (this.batch === batch) this.batch = null;
      const acked = Number(await this.redis.wait(this.replicas, this.timeoutMs));
      if (this.epoch !== epoch) throw new Error('the Redis connection changed before the replicas confirmed the write');
      if (acked < this.replicas) {
        throw new Error(`${acked} of ${this.replicas} Redis replicas confirmed the write within ${this.timeoutMs} ms (wait_replicas)`);
      }
    });
    this.batch = batch;
    return batch;
  }
}
