import { AwsServiceError, type CallerContext, type JsonServiceRegistration } from '../http/contract.js';
import type { IdcInstance } from './instance.js';
import { reqStr } from './json-input.js';
import { SignInFailure, type IdentityCenterSp } from './saml/sp.js';
import { TokenQuotaError } from './scim/tokens.js';
import { spMetadataPath } from './portal/portal-web.js';

/**
 * Emulator-only administration (not an AWS API): what the Identity Center console does by hand — create, list
 * and delete SCIM access tokens, and configure the external IdP from its metadata. awsJson1_1 under the
 * target prefix `KeywayEmulatorIdentityCenter`, signed as `sso` by the management account.
 */
export const ADMIN_TARGET_PREFIX = 'KeywayEmulatorIdentityCenter';

export function createAdminRegistration(inst: IdcInstance, sp: IdentityCenterSp): JsonServiceRegistration {
  const owner = (caller: CallerContext): void => {
    if (caller.accountId !== inst.ownerAccountId)
      throw new AwsServiceError(
        'AccessDeniedException',
        'Only the management account administers IAM Identity Center.',
        403,
      );
  };
  const tokenView = (t: { tokenId: string; createdAt: number; expiresAt: number; lastUsedAt?: number }) => ({
    TokenId: t.tokenId,
    CreatedDate: t.createdAt / 1000,
    ExpiresDate: t.expiresAt / 1000,
    ...(t.lastUsedAt !== undefined ? { LastUsedDate: t.lastUsedAt / 1000 } : {}),
  });
  return {
    kind: 'json',
    targetPrefix: ADMIN_TARGET_PREFIX,
    signingName: 'sso',
    operations: {
      DescribeIdentityCenter(_input, caller) {
        owner(caller);
        return {
          InstanceArn: inst.instanceArn,
          IdentityStoreId: inst.identityStoreId,
          StartUrl: inst.startUrl,
          ScimPath: `/${inst.ids.scimTenantId}/scim/v2`,
          SpEntityId: sp.entityId,
          SpMetadataPath: spMetadataPath(inst),
          AcsPath: sp.acsPath,
          IdpEntityId: sp.idpConfig?.entityId ?? null,
        };
      },
      CreateScimAccessToken(_input, caller) {
        owner(caller);
        try {
          const { token, info } = inst.scimTokens.create();
          return { AccessToken: token, ...tokenView(info) };
        } catch (e) {
          if (e instanceof TokenQuotaError) throw new AwsServiceError('ServiceQuotaExceededException', e.message, 402);
          throw e;
        }
      },
      ListScimAccessTokens(_input, caller) {
        owner(caller);
        return { Tokens: inst.scimTokens.list().map(tokenView) };
      },
      DeleteScimAccessToken(input, caller) {
        owner(caller);
        const id = reqStr(input, 'TokenId', { min: 1, max: 64 });
        if (!inst.scimTokens.revoke(id))
          throw new AwsServiceError('ResourceNotFoundException', `Token ${id} not found.`, 404);
        return {};
      },
      PutSamlIdentityProvider(input, caller) {
        owner(caller);
        try {
          const idp = sp.configure(reqStr(input, 'Metadata', { min: 1, max: 75_000 }));
          return { IdpEntityId: idp.entityId, SsoUrl: idp.ssoUrl };
        } catch (e) {
          if (e instanceof SignInFailure) throw new AwsServiceError('ValidationException', e.message, 400);
          throw e;
        }
      },
    },
  };
}
