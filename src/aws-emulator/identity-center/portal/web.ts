import type { EmulatorRequest, EmulatorResponse } from '../../http/contract.js';

/** Small HTTP helpers for the portal pages and the rest-json APIs. Every page value goes through `esc`. */
export function esc(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function page(
  status: number,
  title: string,
  bodyHtml: string,
  extraHeaders: Record<string, string> = {},
): EmulatorResponse {
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}.error{color:#a00}</style>' +
    `</head><body>${bodyHtml}</body></html>`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
      'x-frame-options': 'DENY',
      ...extraHeaders,
    },
    body,
  };
}

export const redirect = (location: string, extraHeaders: Record<string, string> = {}): EmulatorResponse => ({
  status: 303,
  headers: { location, 'cache-control': 'no-store', ...extraHeaders },
  body: '',
});

/** `http://<host>` of the request; the emulator listens on loopback over plain HTTP. */
export function baseUrl(req: EmulatorRequest): string {
  const host = req.headers.host ?? '127.0.0.1';
  return /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `http://${host}` : 'http://127.0.0.1';
}

export function cookie(req: EmulatorRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export const MAX_FORM_BYTES = 256 * 1024;

export function form(req: EmulatorRequest): URLSearchParams | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || req.body.length > MAX_FORM_BYTES) return undefined;
  return new URLSearchParams(req.body.toString('utf8'));
}

/** Only local absolute paths may be used as a post-sign-in destination (no open redirect). */
export function safeLocalPath(p: string | null | undefined): string | undefined {
  return p && /^\/(?![/\\])[\x21-\x7e]*$/.test(p) && p.length <= 2048 ? p : undefined;
}
