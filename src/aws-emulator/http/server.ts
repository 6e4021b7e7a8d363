/** The node:http adapter: collects the body under a size cap and hands a plain EmulatorRequest to the router. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EmulatorRequest, EmulatorResponse } from './contract.js';
import { queryError } from './query-codec.js';
import { newRequestId } from './request-id.js';
import type { RequestHandler } from './router.js';

/**
 * A form-encoded 10,000,000-character SAML metadata document (the model's maximum) can grow about threefold
 * when percent-encoded, so the cap sits above that.
 */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toEmulatorRequest(req: IncomingMessage, body: Buffer): EmulatorRequest {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers,
    body,
    remoteAddress: req.socket.remoteAddress ?? '',
  };
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

export function createHttpServer(handle: RequestHandler): Server {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(toEmulatorRequest(req, body)))
      .then((response) => send(res, response))
      .catch((e: unknown) => {
        const tooLarge = e instanceof BodyTooLarge;
        const response = queryError(
          tooLarge ? 'RequestEntityTooLarge' : 'InternalFailure',
          tooLarge
            ? `Request body exceeds ${MAX_BODY_BYTES} bytes`
            : 'The request processing has failed because of an unknown error, exception or failure.',
          tooLarge ? 413 : 500,
          tooLarge ? 'Sender' : 'Receiver',
          newRequestId(),
        );
        if (tooLarge) res.setHeader('connection', 'close');
        if (!res.headersSent) send(res, response);
        else res.destroy();
      });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  // AWS clients reuse connections across polls that sso-oidc may slow to 5 s or more; Node's 5 s default would
  // close an idle keep-alive socket just as the next poll is written, which the CLI reports as a dropped connection.
  server.keepAliveTimeout = 15_000;
  return server;
}
