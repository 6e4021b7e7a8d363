/**
 * The SAML part of a Keyway session's data: one SessionIndex for the session and the SPs it signed in to, with
 * the NameID each one received — what single logout needs to tell each SP whom to sign out (SAML profiles 4.4).
 */
import type { NameIdFormat } from '../../core/index.js';
import type { ServerContext } from '../deps.js';
import { setSessionData, type SignedIn } from '../session.js';

export interface SpSession {
  readonly appId: string;
  readonly nameId: string;
  readonly nameIdFormat: NameIdFormat;
}

interface SamlSessionData {
  readonly sessionIndex: string;
  readonly sps: readonly SpSession[];
}

const MAX_SPS = 50;

const read = (data: Readonly<Record<string, unknown>>): SamlSessionData | null => {
  const v = data.saml;
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r.sessionIndex !== 'string' || !Array.isArray(r.sps)) return null;
  return { sessionIndex: r.sessionIndex, sps: r.sps as SpSession[] };
};

export const samlSessionIndex = (who: SignedIn): string | null => read(who.session.data)?.sessionIndex ?? null;

export const spSessionsOf = (data: Readonly<Record<string, unknown>>): readonly SpSession[] => read(data)?.sps ?? [];

export const recordSpSession = async (
  ctx: ServerContext,
  who: SignedIn,
  sp: SpSession,
  sessionIndex: string,
): Promise<void> => {
  const current = read(who.session.data);
  const known = current?.sps.find((s) => s.appId === sp.appId);
  // Signing in to the same SP again with the same NameID changes nothing: skip the write.
  if (current?.sessionIndex === sessionIndex && known?.nameId === sp.nameId && known.nameIdFormat === sp.nameIdFormat)
    return;
  const others = (current?.sps ?? []).filter((s) => s.appId !== sp.appId);
  await setSessionData(ctx, who, { saml: { sessionIndex, sps: [...others, sp].slice(-MAX_SPS) } });
};

/**
 * Whether a LogoutRequest names this session: the SP took part in it, the NameID is the one Keyway issued to that
 * SP in it, and, when the request lists SessionIndex values, one of them is this session's (SAML core 3.7.1).
 */
export const matchingSession = (
  who: SignedIn,
  appId: string,
  request: { readonly nameId: string; readonly sessionIndexes: readonly string[] },
): boolean => {
  const saml = read(who.session.data);
  const sp = saml?.sps.find((s) => s.appId === appId);
  if (!saml || !sp || sp.nameId !== request.nameId) return false;
  return request.sessionIndexes.length === 0 || request.sessionIndexes.includes(saml.sessionIndex);
};
