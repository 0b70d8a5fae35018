/**
 * Polls `test` until it holds (a failing poll counts as "not yet"), or fails naming `what` after `limitMs`: the wait
 * condition tests use instead of sleeping for a guessed time.
 */
export async function until(what: string, test: () => Promise<boolean> | boolean, limitMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await Promise.resolve().then(test).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} (${limitMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
