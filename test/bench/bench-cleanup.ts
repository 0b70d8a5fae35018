/**
 * Everything the benchmark starts (servers, generators, temp dirs) registers its stop here, so an error or a Ctrl-C
 * leaves no fuzzyd, no rspamd worker (it would keep its SO_REUSEPORT port) and no generator behind.
 */
type Stopper = () => Promise<void> | void;

const stoppers = new Map<number, { what: string; stop: Stopper }>();
let nextId = 1;
let installed = false;
let interrupted = false;

/** True once SIGINT/SIGTERM arrived: what is being measured then is not a result. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Registers `stop`; call the returned function once the thing is stopped normally. */
export function onCleanup(what: string, stop: Stopper): () => void {
  installSignalHandlers();
  const id = nextId++;
  stoppers.set(id, { what, stop });
  return () => {
    stoppers.delete(id);
  };
}

/** Runs every registered stop, newest first; each gets `timeoutMs` and failures are reported, not thrown. */
export async function cleanupAll(timeoutMs = 20_000): Promise<void> {
  const pending = [...stoppers.entries()].reverse();
  stoppers.clear();
  for (const [, { what, stop }] of pending) {
    try {
      await Promise.race([
        Promise.resolve().then(stop),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref()),
      ]);
    } catch (err) {
      console.error(`bench: could not stop ${what}: ${(err as Error).message}`);
    }
  }
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\nbench: ${signal}, stopping everything it started...`);
      // process.exit runs the helpers' 'exit' hooks too (SIGKILL for anything still alive).
      cleanupAll(5000).finally(() => process.exit(130));
    });
  }
}
