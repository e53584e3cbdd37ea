import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, type ReviewLifecycle } from '../api';

/**
 * Loads from the API (`load` is a typed call, e.g. `() => dataOf(api.GET(...))`); loads again when
 * `key` (what the call depends on) changes, and on `reload`.
 */
export function useApi<T>(load: (() => Promise<T>) | null, key: string): { data: T | undefined; error: ApiError | Error | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!load) return;
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(undefined)),
      (e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
    // The loader is a new function on every render; what it loads is named by `key`.
  }, [key, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** The review's state machine and vocabularies as the server gives them (GET /api/review/lifecycle), for every screen. */
const LifecycleContext = createContext<ReviewLifecycle | null>(null);
export const LifecycleProvider = LifecycleContext.Provider;

export function useLifecycle(): ReviewLifecycle {
  const lifecycle = useContext(LifecycleContext);
  if (!lifecycle) throw new Error('useLifecycle outside LifecycleProvider');
  return lifecycle;
}

export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return <p className="error" role="alert">{error instanceof ApiError && error.status === 404 ? 'Not found: it does not exist, or you do not have access to it.' : error.message}</p>;
}

export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span className={`badge ${kind ?? ''} b-${value.replace(/[^a-z0-9-]/gi, '')}`}>{value}</span>;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.slice(0, 16).replace('T', ' ');
}

/** A polite live region for status messages. */
export function Status({ message, error }: { message: string | null; error?: string | null }) {
  return (
    <div aria-live="polite" className="status-slot">
      {error ? <p className="error" role="alert">{error}</p> : message ? <p className="ok">{message}</p> : null}
    </div>
  );
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError && e.status === 409 && e.code === 'conflict') return `Someone else changed this first: ${e.message}`;
  if (e instanceof ApiError && e.status === 403) return `Not allowed: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
