/**
 * The authentication-strength part of the access decision, shared by SAML, the AWS applications and OIDC:
 * the strongest demand of the application and of the user's groups, against what the session's sign-in proved.
 * When the session falls short the user is sent to step up (/signin/step-up), never simply refused.
 */
import {
  meetsStrength,
  requiredStrength,
  strengthOf,
  type AuthStrength,
  type Group,
  type StrengthPolicyStore,
} from '../core/index.js';
import { createStrengthPolicyStore } from '../store/index.js';
import type { ServerContext } from './deps.js';

export type StrengthVerdict =
  | { readonly ok: true; readonly have: AuthStrength }
  | { readonly ok: false; readonly have: AuthStrength; readonly need: AuthStrength };

/** A thin repository over the store's handle (no state of its own), so building it per use costs nothing. */
export const strengthPolicies = (ctx: Pick<ServerContext, 'store' | 'now'>): StrengthPolicyStore =>
  createStrengthPolicyStore(ctx.store.db, ctx.now);

export const checkStrength = async (
  ctx: Pick<ServerContext, 'store' | 'now'>,
  applicationId: string,
  effectiveGroups: readonly Group[],
  authMethods: readonly string[],
): Promise<StrengthVerdict> => {
  const need = requiredStrength(
    await strengthPolicies(ctx).forAccess(
      applicationId,
      effectiveGroups.map((g) => g.id),
    ),
  );
  const have = strengthOf(authMethods);
  return meetsStrength(have, need) ? { ok: true, have } : { ok: false, have, need };
};

/** Where to send a user whose sign-in is not strong enough for `appName`; they come back to `returnTo`. */
export const stepUpUrl = (need: AuthStrength, appName: string, returnTo: string): string =>
  `/signin/step-up?need=${encodeURIComponent(need)}&app=${encodeURIComponent(appName.slice(0, 200))}&returnTo=${encodeURIComponent(returnTo)}`;
