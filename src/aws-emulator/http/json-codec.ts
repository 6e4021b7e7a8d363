/** The awsJson1_1 wire format: `X-Amz-Target` routing, JSON bodies, `{"__type": …}` errors. */
import type { EmulatorResponse } from './contract.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function jsonResponse(output: unknown, requestId: string): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify(output ?? {}),
  };
}

export function jsonError(
  code: string,
  message: string,
  status: number,
  requestId: string,
  extra: Readonly<Record<string, unknown>> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': code },
    body: JSON.stringify({ ...extra, __type: code, message }),
  };
}

/** Parses a JSON 1.1 body into a plain object (null prototype, so no key can reach Object.prototype). */
export function parseJsonBody(body: Buffer): Record<string, unknown> | undefined {
  const text = body.toString('utf8').trim();
  if (text === '') return Object.create(null) as Record<string, unknown>;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
}
