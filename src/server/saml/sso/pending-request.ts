/**
 * A validated AuthnRequest waiting for the user to sign in. It travels in the sign-in page's returnTo URL as an
 * HMAC-signed, short-lived token, so the request (already counted in the replay cache) is not verified twice and
 * no server state is kept for browsers that never come back. Only Keyway can mint one (key derived from the
 * master key), and it names only an application and one of its registered ACS URLs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PendingRequest {
  readonly appId: string;
  /** AuthnRequest ID for InResponseTo; absent for IdP-initiated SSO. */
  readonly requestId?: string;
  readonly acsUrl: string;
  readonly relayState?: string;
  /** The SP's RequestedAuthnContext, checked once Keyway knows how the user signed in. */
  readonly authnContext?: { readonly comparison: string; readonly classRefs: readonly string[] };
  /** Set when the SP asked for transient NameIDs: Keyway can always issue one, whatever the app's format. */
  readonly transient?: boolean;
  /**
   * ForceAuthn (SAML core 3.4.1): when the request arrived, in Unix milliseconds. Only a session that started at
   * or after this instant may answer it, so a live session from before the request is never reused.
   */
  readonly authnAfter?: number;
  /** Unix seconds after which the token is refused. */
  readonly exp: number;
}

/** Long enough to type a password and a code, short enough that a leaked URL is useless soon. */
export const PENDING_TTL_SECONDS = 15 * 60;

const mac = (key: Buffer, body: string): string =>
  createHmac('sha256', key).update(`keyway-saml-pending.${body}`).digest('base64url');

export const sealPending = (key: Buffer, p: PendingRequest): string => {
  const body = Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
  return `${body}.${mac(key, body)}`;
};

/** Null for anything not minted by this Keyway or expired; the caller shows a "start again" page. */
export const openPending = (key: Buffer, token: unknown, now: Date): PendingRequest | null => {
  if (typeof token !== 'string' || token.length > 1800 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(token))
    return null;
  const [body = '', sig = ''] = token.split('.');
  const expected = Buffer.from(mac(key, body));
  if (!timingSafeEqual(expected, Buffer.from(sig))) return null;
  let p: unknown;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof p !== 'object' || p === null) return null;
  const r = p as Record<string, unknown>;
  if (typeof r.appId !== 'string' || typeof r.acsUrl !== 'string' || typeof r.exp !== 'number') return null;
  if (r.requestId !== undefined && typeof r.requestId !== 'string') return null;
  if (r.relayState !== undefined && typeof r.relayState !== 'string') return null;
  if (r.transient !== undefined && r.transient !== true) return null;
  if (r.authnAfter !== undefined && !Number.isSafeInteger(r.authnAfter)) return null;
  const ac = r.authnContext as { comparison?: unknown; classRefs?: unknown } | undefined;
  if (
    ac !== undefined &&
    (typeof ac !== 'object' ||
      ac === null ||
      typeof ac.comparison !== 'string' ||
      !Array.isArray(ac.classRefs) ||
      !ac.classRefs.every((c) => typeof c === 'string'))
  )
    return null;
  if (r.exp * 1000 < now.getTime()) return null;
  return {
    appId: r.appId,
    acsUrl: r.acsUrl,
    exp: r.exp,
    ...(typeof r.requestId === 'string' ? { requestId: r.requestId } : {}),
    ...(typeof r.relayState === 'string' ? { relayState: r.relayState } : {}),
    ...(r.transient === true ? { transient: true } : {}),
    ...(typeof r.authnAfter === 'number' ? { authnAfter: r.authnAfter } : {}),
    ...(ac ? { authnContext: { comparison: ac.comparison as string, classRefs: ac.classRefs as string[] } } : {}),
  };
};
