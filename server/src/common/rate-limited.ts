/** A warning sink: a message and its context (the logger's fields). */
export type Warn = (message: string, context: Record<string, unknown>) => void;

/**
 * Passes a warning on at most once per `intervalMs` per message, with how many were suppressed since, so a flood of
 * refused datagrams cannot flood the log (or slow the hot path). No dependencies: UDP threads use it too.
 */
export function rateLimited(emit: Warn, intervalMs = 10_000): Warn {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (message, context) => {
    const now = Date.now();
    const entry = last.get(message);
    if (entry && now - entry.at < intervalMs) {
      entry.suppressed++;
      return;
    }
    emit(message, { ...context, suppressed: entry?.suppressed ?? 0 });
    last.set(message, { at: now, suppressed: 0 });
  };
}
