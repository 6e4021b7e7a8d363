import {
  GetRoleCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  NoSuchEntityException,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { DesiredIamState, LiveIamState, LiveProvider, LiveRole } from '../core/index.js';
import { metadataFingerprint } from './metadata-fingerprint.js';

const isNoSuchEntity = (e: unknown): boolean => e instanceof NoSuchEntityException;

/**
 * IAM returns policy documents URL-encoded (RFC 3986); the JS SDK passes them through as is (IAM API Reference,
 * "GetRole").
 */
export function decodePolicyDocument(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  for (const text of [safeDecode(raw), raw]) {
    if (text === null) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // try the next form
    }
  }
  return null;
}

function safeDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Reads only what Keyway manages in one account: its SAML provider (by ARN, from the list so that a missing
 * provider is not an error) and each desired role. Read calls only.
 */
export async function readLiveIamState(iam: IAMClient, desired: DesiredIamState): Promise<LiveIamState> {
  const list = await iam.send(new ListSAMLProvidersCommand({}));
  const listed = (list.SAMLProviderList ?? []).find((p) => p.Arn === desired.provider.arn);
  let provider: LiveProvider | null = null;
  if (listed) {
    const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: desired.provider.arn }));
    const validUntil = got.ValidUntil ?? listed.ValidUntil;
    provider = {
      arn: desired.provider.arn,
      fingerprint: got.SAMLMetadataDocument ? metadataFingerprint(got.SAMLMetadataDocument) : null,
      validUntil: validUntil ? new Date(validUntil).toISOString() : null,
    };
  }
  const roles: Record<string, LiveRole | null> = {};
  for (const role of desired.roles) {
    try {
      const got = await iam.send(new GetRoleCommand({ RoleName: role.name }));
      const r = got.Role;
      roles[role.name.toLowerCase()] = r
        ? {
            name: r.RoleName ?? role.name,
            path: r.Path ?? '/',
            arn: r.Arn ?? role.arn,
            trustPolicy: decodePolicyDocument(r.AssumeRolePolicyDocument),
          }
        : null;
    } catch (e) {
      if (!isNoSuchEntity(e)) throw e;
      roles[role.name.toLowerCase()] = null;
    }
  }
  return { accountId: desired.accountId, provider, roles };
}
