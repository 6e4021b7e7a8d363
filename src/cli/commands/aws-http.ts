/** The CLI's JSON client for Keyway's /aws/cli API; errors come back as one plain line. */
import type { Env } from '../../server/index.js';

export class KeywayHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const keywayUrl = (env: Env, flag?: string): string =>
  (flag ?? env.KEYWAY_URL ?? env.KEYWAY_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

const TIMEOUT_MS = 15_000;

export async function callKeyway<T>(
  base: string,
  path: string,
  init: { method: 'GET' | 'POST'; token?: string; body?: unknown },
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw new KeywayHttpError(
      0,
      'unreachable',
      `cannot reach Keyway at ${base} (${e instanceof Error ? e.message : String(e)}); set KEYWAY_URL`,
    );
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new KeywayHttpError(
      res.status,
      'bad_response',
      `Keyway at ${base} answered HTTP ${res.status} without JSON; is KEYWAY_URL right?`,
    );
  }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: string; message?: string };
    throw new KeywayHttpError(res.status, b.code ?? 'error', b.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}
