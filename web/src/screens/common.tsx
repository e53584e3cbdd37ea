import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';

/** Loads JSON from the API; `reload` fetches again. */
export function useApi<T>(path: string | null): { data: T | undefined; error: ApiError | Error | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    api<T>(path).then(
      (d) => live && (setData(d), setError(undefined)),
      (e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
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
