/**
 * JSON logs (pino) with request ids and redaction: no header, cookie, password, token, session id or SAML
 * message ever reaches a log line (docs/security.md, "Everywhere").
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.csrf',
  '*.SAMLResponse',
  '*.SAMLRequest',
  '*.masterKey',
];

/** Query parameters whose values are replaced in logged URLs. */
const sensitiveParams =
  /^(SAMLResponse|SAMLRequest|Signature|RelayState|token|access_token|id_token|code|password|csrf)$/i;

export const redactUrl = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of [...params.keys()]) {
    if (sensitiveParams.test(key)) {
      params.set(key, '[Redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
};

interface RequestLike {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly ip?: string;
  readonly headers: Readonly<Record<string, unknown>>;
}

export const createLogger = (config: Pick<ServerConfig, 'logLevel'>, destination?: NodeJS.WritableStream): Logger =>
  pino(
    {
      level: config.logLevel,
      base: { service: 'keyway' },
      redact: { paths: redactPaths, censor: '[Redacted]' },
      serializers: {
        req: (req: RequestLike) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
          userAgent: req.headers['user-agent'],
        }),
      },
    },
    destination ?? process.stdout,
  );
