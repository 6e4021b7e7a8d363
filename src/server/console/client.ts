/**
 * The console reaches Keyway only through the admin REST API, with the signed-in person's own session and
 * CSRF token, so the console can never do what the API would refuse that person. Requests are made in-process
 * (`inject`): the same routes, validation, authorisation and audit as any other client, without a socket.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignedIn } from '../session.js';

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly problems?: readonly { readonly at: string; readonly message: string }[];
}

export interface ConsoleApi {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<ApiAnswer<T>>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer<T>>;
}

export const isApiError = (body: unknown): body is ApiError =>
  typeof body === 'object' && body !== null && typeof (body as ApiError).message === 'string';

export function consoleApi(app: FastifyInstance, req: FastifyRequest, who: SignedIn): ConsoleApi {
  const headers = { cookie: req.headers.cookie ?? '', 'x-csrf-token': who.csrfToken, 'x-request-id': req.id };
  const parse = (payload: string): unknown => {
    if (payload === '') return null;
    try {
      return JSON.parse(payload);
    } catch {
      return { code: 'bad_response', message: payload.slice(0, 200) };
    }
  };
  return {
    async get(path, query = {}) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') search.set(k, String(v));
      const qs = search.toString();
      const r = await app.inject({ method: 'GET', url: `/api/v1${path}${qs ? `?${qs}` : ''}`, headers });
      return { status: r.statusCode, body: parse(r.payload) as never };
    },
    async send(method, path, body) {
      const r = await app.inject({
        method,
        url: `/api/v1${path}`,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: r.statusCode, body: parse(r.payload) as never };
    },
  };
}
