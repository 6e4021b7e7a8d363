/**
 * IAM of one account as the access plane needs it: Keyway's SAML provider and the roles under Keyway's role
 * path (plus roles of the wanted names wherever they are, since IAM role names are unique per account).
 */
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  NoSuchEntityException,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import type { DesiredProvider, LiveAccessRole, LiveAccountIam } from '../../core/index.js';
import { decodePolicyDocument, readLiveIamState } from '../iam-live.js';

async function pagesByMarker<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[]; marker: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const p = await fetch(marker);
    out.push(...p.items);
    marker = p.marker;
  } while (marker);
  return out;
}

async function readRole(iam: IAMClient, name: string): Promise<LiveAccessRole | null> {
  let role: Role | undefined;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (e) {
    if (e instanceof NoSuchEntityException) return null;
    throw e;
  }
  if (!role?.RoleName) return null;
  const RoleName = role.RoleName;
  const [inlineNames, attached] = await Promise.all([
    pagesByMarker(async (Marker) => {
      const r = await iam.send(new ListRolePoliciesCommand({ RoleName, Marker }));
      return { items: r.PolicyNames ?? [], marker: r.IsTruncated ? r.Marker : undefined };
    }),
    pagesByMarker(async (Marker) => {
      const r = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
      return { items: r.AttachedPolicies ?? [], marker: r.IsTruncated ? r.Marker : undefined };
    }),
  ]);
  const inline: Record<string, unknown> = {};
  for (const PolicyName of inlineNames.sort()) {
    const p = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
    inline[PolicyName] = decodePolicyDocument(p.PolicyDocument);
  }
  return {
    name: RoleName,
    path: role.Path ?? '/',
    arn: role.Arn ?? '',
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
    inline,
    managed: attached.map((a) => a.PolicyArn ?? '').sort(),
    boundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    maxSessionDuration: role.MaxSessionDuration ?? 3600,
    description: role.Description ?? null,
    tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

export async function readAccountIam(
  iam: IAMClient,
  accountId: string,
  provider: DesiredProvider | null,
  rolePath: string,
  wantedRoles: readonly string[],
): Promise<LiveAccountIam> {
  const providerState = provider ? (await readLiveIamState(iam, { accountId, provider, roles: [] })).provider : null;
  const listed = await pagesByMarker(async (Marker) => {
    const r = await iam.send(new ListRolesCommand({ PathPrefix: rolePath, Marker }));
    return { items: r.Roles ?? [], marker: r.IsTruncated ? r.Marker : undefined };
  });
  const names = new Map<string, string>();
  for (const r of listed) if (r.RoleName && r.Path === rolePath) names.set(r.RoleName.toLowerCase(), r.RoleName);
  for (const n of wantedRoles) if (!names.has(n.toLowerCase())) names.set(n.toLowerCase(), n);
  const roles: LiveAccessRole[] = [];
  for (const name of [...names.values()].sort()) {
    const r = await readRole(iam, name);
    if (r) roles.push(r);
  }
  return { accountId, provider: providerState, roles };
}
