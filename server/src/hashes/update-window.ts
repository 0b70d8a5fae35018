/**
 * Runs at most `size` tasks at once. An import keeps about a window's worth of updates queued, enough for the group
 * commit to fill large transactions, while reading of the body pauses (back-pressure) when the window is full.
 */
export class UpdateWindow {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Resolves once the task has started (not finished). Tasks report their own failures: a rejection is ignored. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inFlight++;
    task()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        this.waiters.shift()?.();
      });
  }

  /** Resolves when every started task has finished. */
  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
