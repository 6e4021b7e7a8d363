/**
 * Front-channel single logout visits the session's SPs one after another (SAML profiles 4.4.3.2). The Keyway
 * session is gone by then, so what is left to do travels in a short-lived HMAC-signed cookie: the SPs still to
 * notify, the LogoutRequest we wait an answer for, and who started it (the portal, or an SP to answer at the end).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SpSession } from '../session-sps.js';

export interface SloChain {
  readonly remaining: readonly SpSession[];
  readonly sessionIndex: string | null;
  /** The LogoutRequest sent last: its answer must come from this SP and name this ID. */
  readonly waitingFor?: { readonly appId: string; readonly entityId: string; readonly requestId: string };
  readonly origin:
    | { readonly kind: 'portal' }
    | {
        readonly kind: 'sp';
        readonly appId: string;
        readonly requestId: string;
        readonly relayState?: string;
        /**
         * Nothing was ended: no session of this browser matched the request (unknown_principal), or the person
         * chose to stay signed in (denied). SAML core 3.2.2.2 status codes.
         */
        readonly refused?: 'unknown_principal' | 'denied';
      };
  /** Some SP answered with a failure or could not be reached. */
  readonly partial: boolean;
  /** Unix seconds. */
  readonly exp: number;
}

export const SLO_COOKIE = 'keyway_saml_slo';
export const SLO_TTL_SECONDS = 5 * 60;
/** Keeps the cookie under browsers' 4 KB limit; further SPs are reported as a partial logout. */
export const MAX_CHAIN_SPS = 15;

const mac = (key: Buffer, body: string) =>
  createHmac('sha256', key).update(`keyway-saml-slo.${body}`).digest('base64url');

export const sealChain = (key: Buffer, chain: SloChain): string => {
  const body = Buffer.from(JSON.stringify(chain), 'utf8').toString('base64url');
  return `${body}.${mac(key, body)}`;
};

export const openChain = (key: Buffer, value: unknown, now: Date): SloChain | null => {
  if (typeof value !== 'string' || value.length > 4000 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(value))
    return null;
  const [body = '', sig = ''] = value.split('.');
  if (!timingSafeEqual(Buffer.from(mac(key, body)), Buffer.from(sig))) return null;
  try {
    const chain = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SloChain;
    return typeof chain.exp === 'number' && chain.exp * 1000 > now.getTime() && Array.isArray(chain.remaining)
      ? chain
      : null;
  } catch {
    return null;
  }
};

/**
 * A verified LogoutRequest that arrived by a cross-site POST, which carries no SameSite=Lax session cookie: it is
 * re-sent to ourselves as a top-level GET (which does carry it) in this signed, short-lived form.
 */
export interface PendingLogout {
  readonly appId: string;
  readonly requestId: string;
  readonly nameId: string;
  /** The request's SessionIndex values; when any are given, one must be the session's. */
  readonly sessionIndexes: readonly string[];
  /** Signed with the SP's registered key; an unsigned request waits for the person to confirm. */
  readonly signed: boolean;
  readonly relayState?: string;
  readonly exp: number;
}

const logoutMac = (key: Buffer, body: string) =>
  createHmac('sha256', key).update(`keyway-saml-slo-pending.${body}`).digest('base64url');

export const sealPendingLogout = (key: Buffer, p: PendingLogout): string => {
  const body = Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
  return `${body}.${logoutMac(key, body)}`;
};

export const openPendingLogout = (key: Buffer, value: unknown, now: Date): PendingLogout | null => {
  if (typeof value !== 'string' || value.length > 4000 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(value))
    return null;
  const [body = '', sig = ''] = value.split('.');
  if (!timingSafeEqual(Buffer.from(logoutMac(key, body)), Buffer.from(sig))) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PendingLogout;
    return typeof p.exp === 'number' &&
      p.exp * 1000 > now.getTime() &&
      typeof p.appId === 'string' &&
      typeof p.requestId === 'string' &&
      typeof p.nameId === 'string' &&
      typeof p.signed === 'boolean' &&
      Array.isArray(p.sessionIndexes)
      ? p
      : null;
  } catch {
    return null;
  }
};
