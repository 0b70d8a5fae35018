/** The message `run` throws with; a test that expected a refusal fails when there is none. */
export function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, and nothing was thrown');
}
