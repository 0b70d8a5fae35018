/**
 * Runs async tasks one after another, each after the previous one settled (failed or not): an admin change that
 * reads state, commits and applies must not interleave with another, or one could apply a set missing the other.
 */
export class OneAtATime {
  private queue: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
