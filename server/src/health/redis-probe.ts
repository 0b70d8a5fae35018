import { Redis } from 'ioredis';

export interface ProbeResult {
  ok: boolean;
  detail?: string;
}

/**
 * Readiness of the configured Redis: one lazily made connection, kept for the following checks. It never queues
 * commands while offline and each check is bounded, so /health answers quickly when Redis is down.
 */
export class RedisProbe {
  private client: Redis | null = null;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 1000,
  ) {}

  async check(): Promise<ProbeResult> {
    const client = (this.client ??= this.connect());
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      if (client.status === 'wait') await Promise.race([client.connect(), timeout]);
      const pong = await Promise.race([client.ping(), timeout]);
      return { ok: pong === 'PONG', detail: pong };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.client?.disconnect();
    this.client = null;
  }

  private connect(): Redis {
    const client = new Redis(this.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Errors are reported by check(); without a listener ioredis prints them.
    client.on('error', () => undefined);
    return client;
  }
}
