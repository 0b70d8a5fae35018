import { useCallback, useEffect, useRef, useState } from 'react';

export interface QueryOptions<T> {
  /** Poll every `intervalMs` after each answer (skipped while the tab is hidden). */
  intervalMs?: number;
  /** Stop polling once an answer satisfies this (e.g. a job that finished). */
  stopWhen?: (data: T) => boolean;
  enabled?: boolean;
}

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  /** True while a request for the current key is in flight (data may still hold the previous answer). */
  loading: boolean;
  /** When the current data arrived (ms). */
  updatedAt: number | null;
  refetch: () => void;
}

/**
 * A small data hook: fetches when `key` changes, aborts what the new key made obsolete, keeps the last data while
 * the next arrives (pages and polls do not flicker), and can poll. The app needs no more than this, so no query
 * library.
 */
export function useQuery<T>(key: string, fetcher: (signal: AbortSignal) => Promise<T>, options: QueryOptions<T> = {}): QueryState<T> {
  const { intervalMs, enabled = true } = options;
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const stopWhenRef = useRef(options.stopWhen);
  stopWhenRef.current = options.stopWhen;
  const [state, setState] = useState<{ data: T | undefined; error: Error | null; loading: boolean; updatedAt: number | null }>({
    data: undefined,
    error: null,
    loading: enabled,
    updatedAt: null,
  });
  const [nonce, setNonce] = useState(0);
  const refetch = useCallback(() => setNonce((n) => n + 1), []);

  useEffect(() => {
    if (!enabled) {
      setState((s) => ({ ...s, loading: false }));
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | null = null;

    const run = async (): Promise<void> => {
      if (intervalMs && typeof document !== 'undefined' && document.hidden) {
        timer = setTimeout(run, intervalMs);
        return;
      }
      controller = new AbortController();
      setState((s) => ({ ...s, loading: true }));
      try {
        const data = await fetcherRef.current(controller.signal);
        if (stopped) return;
        setState({ data, error: null, loading: false, updatedAt: Date.now() });
        if (stopWhenRef.current?.(data)) return;
      } catch (err) {
        if (stopped || (err as Error)?.name === 'AbortError') return;
        setState((s) => ({ ...s, error: err as Error, loading: false }));
      }
      if (!stopped && intervalMs) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      controller?.abort();
      if (timer) clearTimeout(timer);
    };
  }, [key, enabled, intervalMs, nonce]);

  return { ...state, refetch };
}

export type ActionOutcome<R> = { ok: true; value: R } | { ok: false; error: Error };

export interface ActionState<A extends unknown[], R> {
  run: (...args: A) => Promise<ActionOutcome<R>>;
  pending: boolean;
  error: Error | null;
  reset: () => void;
}

/** Runs a change (POST/PATCH/DELETE), tracking pending and error; never rejects, the outcome says how it went. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): ActionState<A, R> {
  const actionRef = useRef(action);
  actionRef.current = action;
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: A): Promise<ActionOutcome<R>> => {
    setPending(true);
    setError(null);
    try {
      return { ok: true, value: await actionRef.current(...args) };
    } catch (err) {
      if (mounted.current) setError(err as Error);
      return { ok: false, error: err as Error };
    } finally {
      if (mounted.current) setPending(false);
    }
  }, []);
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}
