/** Shared set-up for black-box tests that drive a running Keyway server through its admin REST API. */
import assert from 'node:assert/strict';
import { systemActor } from '../../src/core/index.js';
import { issueApiToken, type RunningServer } from '../../src/server/index.js';

export type AdminApi = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Issues an API token and returns a caller of /api/v1 that fails the set-up on any non-2xx answer. */
export async function adminApi(keyway: RunningServer): Promise<AdminApi> {
  const { token } = await issueApiToken(keyway.store, systemActor('e2e'), 'e2e');
  return async (method, path, body) => {
    const res = await fetch(`${keyway.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = res.status === 204 ? null : await res.json();
    assert.ok(res.ok, `${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json as Record<string, unknown>;
  };
}
