/**
 * diff(desired, live) → typed changes. Ownership needs no state file: Keyway owns what carries its
 * keyway:managed tag with this installation's name (or what the file adopts by name); anything else is left
 * alone and, where it is in the way, reported.
 */
import { diffIam } from '../iam-plan.js';
import { canonicalPolicy } from '../trust-policy.js';
import type { AccessChange, ChangeCause, FieldChange, PermissionSetEdits, RoleEdits } from './changes.js';
import {
  INLINE_ROLE_POLICY_NAME,
  type DesiredPermissionSet,
  type DesiredAccessRole,
  type DesiredState,
} from './desired.js';
import type { LiveAccountIam, LiveBoundary, LivePermissionSet, LiveAccessRole, LiveState } from './live.js';
import { MANAGED_TAG, type AccessFinding, type AccessModel, type Boundary, type CustomerManagedRef } from './model.js';

export interface DiffInput {
  readonly model: AccessModel;
  readonly desired: DesiredState;
  /** The same, with expired grants kept: removals found only here are expiries. */
  readonly desiredWithExpired: DesiredState;
  readonly live: LiveState;
  readonly now: Date;
}

const lower = (s: string) => s.toLowerCase();
const cmpKey = (c: CustomerManagedRef) => `${c.path}${c.name}`;

type Ownership = 'ours' | 'adoptable' | 'foreign' | 'other-installation';

function ownership(
  tags: Readonly<Record<string, string>>,
  name: string,
  adopt: readonly string[],
  inst: string,
): Ownership {
  const tag = tags[MANAGED_TAG];
  if (tag === inst) return 'ours';
  if (adopt.some((a) => lower(a) === lower(name))) return 'adoptable';
  return tag === undefined ? 'foreign' : 'other-installation';
}

const sameBoundary = (live: LiveBoundary | null, want: Boundary | null): boolean => {
  if (live === null || want === null) return live === want;
  if ('managed' in want) return 'managedArn' in live && live.managedArn === `arn:aws:iam::aws:policy/${want.managed}`;
  return 'customerManaged' in live && cmpKey(live.customerManaged) === cmpKey(want.customerManaged);
};

const showBoundary = (b: LiveBoundary | Boundary | null): string | null =>
  b === null
    ? null
    : 'managedArn' in b
      ? b.managedArn
      : 'managed' in b
        ? `arn:aws:iam::aws:policy/${b.managed}`
        : `customer-managed ${cmpKey(b.customerManaged)}`;

const samePolicy = (a: unknown, b: unknown): boolean =>
  (a === null || a === undefined) && (b === null || b === undefined)
    ? true
    : a === null || a === undefined || b === null || b === undefined
      ? false
      : canonicalPolicy(a) === canonicalPolicy(b);

function permissionSetEdits(
  live: LivePermissionSet,
  want: DesiredPermissionSet,
  tag: boolean,
): { fields: FieldChange[]; edits: PermissionSetEdits } {
  const fields: FieldChange[] = [];
  const attributes = (live.description ?? '') !== want.description || live.sessionDuration !== want.sessionDuration;
  if ((live.description ?? '') !== want.description)
    fields.push({ field: 'description', before: live.description, after: want.description });
  if (live.sessionDuration !== want.sessionDuration)
    fields.push({ field: 'session duration', before: live.sessionDuration, after: want.sessionDuration });
  const managedAttach = want.managedArns.filter((a) => !live.managed.includes(a));
  const managedDetach = live.managed.filter((a) => !want.managedArns.includes(a));
  if (managedAttach.length || managedDetach.length)
    fields.push({ field: 'managed policies', before: live.managed, after: want.managedArns });
  const liveCmp = new Set(live.customerManaged.map(cmpKey));
  const wantCmp = new Set(want.customerManaged.map(cmpKey));
  const customerAttach = want.customerManaged.filter((c) => !liveCmp.has(cmpKey(c)));
  const customerDetach = live.customerManaged.filter((c) => !wantCmp.has(cmpKey(c)));
  if (customerAttach.length || customerDetach.length)
    fields.push({
      field: 'customer-managed policies',
      before: live.customerManaged.map(cmpKey),
      after: want.customerManaged.map(cmpKey),
    });
  let inline: PermissionSetEdits['inline'] = null;
  if (!samePolicy(live.inline, want.inline)) {
    inline = want.inline === null ? 'delete' : 'put';
    fields.push({ field: 'inline policy', before: live.inline, after: want.inline });
  }
  let boundary: PermissionSetEdits['boundary'] = null;
  if (!sameBoundary(live.boundary, want.boundary)) {
    boundary = want.boundary === null ? 'delete' : 'put';
    fields.push({
      field: 'permissions boundary',
      before: showBoundary(live.boundary),
      after: showBoundary(want.boundary),
    });
  }
  if (tag) fields.push({ field: `tag ${MANAGED_TAG}`, before: null, after: 'added (adopted by the file)' });
  return {
    fields,
    edits: { attributes, managedAttach, managedDetach, customerAttach, customerDetach, inline, boundary, tag },
  };
}

function roleEdits(
  live: LiveAccessRole,
  want: DesiredAccessRole,
  tag: boolean,
): { fields: FieldChange[]; edits: RoleEdits } {
  const fields: FieldChange[] = [];
  const attributes =
    (live.description ?? '') !== want.description || live.maxSessionDuration !== want.maxSessionDuration;
  if ((live.description ?? '') !== want.description)
    fields.push({ field: 'description', before: live.description, after: want.description });
  if (live.maxSessionDuration !== want.maxSessionDuration)
    fields.push({ field: 'max session', before: live.maxSessionDuration, after: want.maxSessionDuration });
  const trust = !samePolicy(live.trustPolicy, want.trustPolicy);
  if (trust) fields.push({ field: 'trust policy', before: live.trustPolicy, after: want.trustPolicy });
  const managedAttach = want.managedArns.filter((a) => !live.managed.includes(a));
  const managedDetach = live.managed.filter((a) => !want.managedArns.includes(a));
  if (managedAttach.length || managedDetach.length)
    fields.push({ field: 'managed policies', before: live.managed, after: want.managedArns });
  const current = live.inline[INLINE_ROLE_POLICY_NAME] ?? null;
  const inlinePut = want.inline !== null && !samePolicy(current, want.inline);
  const inlineDelete = Object.keys(live.inline).filter((n) => n !== INLINE_ROLE_POLICY_NAME || want.inline === null);
  if (inlinePut || inlineDelete.length)
    fields.push({
      field: 'inline policy',
      before: Object.keys(live.inline).length ? live.inline : null,
      after: want.inline ? { [INLINE_ROLE_POLICY_NAME]: want.inline } : null,
    });
  let boundary: RoleEdits['boundary'] = null;
  if (live.boundaryArn !== want.boundaryArn) {
    boundary = want.boundaryArn === null ? 'delete' : 'put';
    fields.push({ field: 'permissions boundary', before: live.boundaryArn, after: want.boundaryArn });
  }
  if (tag) fields.push({ field: `tag ${MANAGED_TAG}`, before: null, after: 'added (adopted by the file)' });
  return { fields, edits: { attributes, trust, managedAttach, managedDetach, inlinePut, inlineDelete, boundary, tag } };
}

export function diffAccess(input: DiffInput): { changes: AccessChange[]; findings: AccessFinding[] } {
  const { model, desired, desiredWithExpired, live, now } = input;
  const inst = model.settings.installation;
  const changes: AccessChange[] = [];
  const findings: AccessFinding[] = [];
  const accountName = (id: string) => live.org.accounts.find((a) => a.id === id)?.name ?? id;
  const grantAt = (name: string) => model.grants.find((g) => lower(g.group) === lower(name))?.fieldAt.group ?? null;

  // Groups must exist in Keyway's directory for every delivery.
  const keywayGroups = new Map(live.keyway.groups.map((g) => [lower(g.displayName), g]));
  for (const g of model.grants)
    if (!keywayGroups.has(lower(g.group)))
      findings.push({
        severity: 'error',
        rule: 'unknown-group',
        message: `grant #${g.index + 1} names group "${g.group}", which is not in Keyway's directory`,
        at: g.fieldAt.group ?? g.at,
      });

  // ---- Identity Center: permission sets and assignments
  if (live.idc) {
    const idc = live.idc;
    const liveByName = new Map(idc.permissionSets.map((p) => [p.name, p]));
    const arnOf = new Map<string, string | null>();
    const usable = new Set<string>();
    for (const want of desired.permissionSets) {
      const have = liveByName.get(want.name);
      if (!have) {
        changes.push({ kind: 'permission-set', action: 'create', cause: 'file', name: want.name, desired: want });
        arnOf.set(want.name, null);
        usable.add(want.name);
        continue;
      }
      const own = ownership(have.tags, have.name, model.adopt.permissionSets, inst);
      if (own === 'foreign' || own === 'other-installation') {
        findings.push({
          severity: 'warning',
          rule: 'not-owned',
          message:
            own === 'foreign'
              ? `permission set ${have.name} exists without the ${MANAGED_TAG} tag; Keyway leaves it and its assignments alone. To take it over, list it under adopt.permissionSets`
              : `permission set ${have.name} belongs to Keyway installation "${have.tags[MANAGED_TAG]}", not "${inst}"; left alone`,
          at: model.permissions.get(want.name)?.at ?? null,
        });
        continue;
      }
      arnOf.set(want.name, have.arn);
      usable.add(want.name);
      const { fields, edits } = permissionSetEdits(have, want, own === 'adoptable');
      if (fields.length)
        changes.push({
          kind: 'permission-set',
          action: 'update',
          cause: own === 'adoptable' ? 'adopt' : 'drift',
          name: have.name,
          arn: have.arn,
          desired: want,
          fields,
          edits,
          provisionedTo: have.provisionedTo,
        });
    }
    const wantedPs = new Set(desired.permissionSets.map((p) => p.name));
    const everWantedPs = new Set(desiredWithExpired.permissionSets.map((p) => p.name));
    const ours = idc.permissionSets.filter((p) => p.tags[MANAGED_TAG] === inst || usable.has(p.name));
    const groupIds = new Map(idc.groups.map((g) => [lower(g.displayName), g.id]));
    const groupNames = new Map(idc.groups.map((g) => [g.id, g.displayName]));
    const userNames = new Map(idc.users.map((u) => [u.id, u.userName]));
    const psByArn = new Map(idc.permissionSets.map((p) => [p.arn, p]));
    const liveAssign = new Set(
      idc.assignments.map(
        (a) => `${a.accountId}|${psByArn.get(a.permissionSetArn)?.name}|${a.principalType}|${a.principalId}`,
      ),
    );
    const wantAssign = new Set<string>();
    const missingGroups = new Set<string>();
    for (const a of desired.assignments) {
      if (!usable.has(a.permissionSet)) continue;
      const gid = groupIds.get(lower(a.group));
      if (!gid) {
        if (keywayGroups.has(lower(a.group))) missingGroups.add(a.group);
        continue;
      }
      const key = `${a.accountId}|${a.permissionSet}|GROUP|${gid}`;
      wantAssign.add(key);
      if (!liveAssign.has(key))
        changes.push({
          kind: 'assignment',
          action: 'create',
          cause: 'file',
          accountId: a.accountId,
          accountName: accountName(a.accountId),
          permissionSet: a.permissionSet,
          permissionSetArn: arnOf.get(a.permissionSet) ?? null,
          principalType: 'GROUP',
          principal: groupNames.get(gid) ?? a.group,
          principalId: gid,
          grants: a.grants,
        });
    }
    for (const g of missingGroups)
      findings.push({
        severity: 'error',
        rule: 'group-not-provisioned',
        message: `group ${g} is not in Identity Center yet; provision it first (Identity Center groups must exist before they are assigned)`,
        at: grantAt(g),
      });
    const expiredAssign = new Set(
      desiredWithExpired.assignments.map(
        (a) => `${a.accountId}|${a.permissionSet}|GROUP|${groupIds.get(lower(a.group))}`,
      ),
    );
    const oursArns = new Set(ours.map((p) => p.arn));
    for (const a of idc.assignments) {
      if (!oursArns.has(a.permissionSetArn)) continue;
      const ps = psByArn.get(a.permissionSetArn) as LivePermissionSet;
      const key = `${a.accountId}|${ps.name}|${a.principalType}|${a.principalId}`;
      if (wantAssign.has(key)) continue;
      const cause: ChangeCause = expiredAssign.has(key) ? 'expired' : wantedPs.has(ps.name) ? 'drift' : 'file';
      changes.push({
        kind: 'assignment',
        action: 'delete',
        cause,
        accountId: a.accountId,
        accountName: accountName(a.accountId),
        permissionSet: ps.name,
        permissionSetArn: ps.arn,
        principalType: a.principalType,
        principal:
          (a.principalType === 'GROUP' ? groupNames.get(a.principalId) : userNames.get(a.principalId)) ?? a.principalId,
        principalId: a.principalId,
        grants: [],
      });
    }
    for (const p of ours) {
      if (wantedPs.has(p.name)) continue;
      changes.push({
        kind: 'permission-set',
        action: 'delete',
        cause: everWantedPs.has(p.name) ? 'expired' : 'file',
        name: p.name,
        arn: p.arn,
        provisionedTo: p.provisionedTo,
      });
    }
  }

  // ---- iam-federation: SAML providers, roles, Keyway's account names and bindings
  const liveIam = new Map<string, LiveAccountIam>(live.iam.map((a) => [a.accountId, a]));
  for (const p of desired.providers) {
    const acct = liveIam.get(providerAccount(p.arn));
    const d = diffIam(
      { accountId: providerAccount(p.arn), provider: p, roles: [] },
      { accountId: providerAccount(p.arn), provider: acct?.provider ?? null, roles: {} },
      now,
    );
    for (const c of d.changes)
      changes.push({
        kind: 'iam',
        cause: c.action === 'create' ? 'file' : 'drift',
        accountName: accountName(c.accountId),
        change: c,
      });
    for (const f of d.findings) findings.push({ severity: f.severity, rule: 'iam', message: f.message, at: null });
  }
  const usableRoles = new Set<string>();
  const wantRoleKeys = new Set(desired.roles.map((r) => `${r.accountId}|${lower(r.name)}`));
  const everRoleKeys = new Set(desiredWithExpired.roles.map((r) => `${r.accountId}|${lower(r.name)}`));
  for (const want of desired.roles) {
    const have = liveIam.get(want.accountId)?.roles.find((r) => lower(r.name) === lower(want.name));
    const key = `${want.accountId}|${lower(want.name)}`;
    if (!have) {
      changes.push({
        kind: 'role',
        action: 'create',
        cause: 'file',
        accountId: want.accountId,
        accountName: accountName(want.accountId),
        name: want.name,
        desired: want,
      });
      usableRoles.add(key);
      continue;
    }
    const own = ownership(have.tags, have.name, model.adopt.roles, inst);
    if (own === 'foreign' || own === 'other-installation') {
      findings.push({
        severity: 'warning',
        rule: 'not-owned',
        message: `role ${have.path}${have.name} in ${accountName(want.accountId)} exists without this installation's ${MANAGED_TAG} tag; left alone (list it under adopt.roles to take it over)`,
        at: model.permissions.get(want.permission)?.at ?? null,
      });
      continue;
    }
    if (have.path !== want.path) {
      findings.push({
        severity: 'error',
        rule: 'role-path',
        message: `role ${have.name} in ${accountName(want.accountId)} is at path ${have.path}, not ${want.path}; IAM cannot move a role, so delete it by hand or change settings.rolePath`,
        at: model.permissions.get(want.permission)?.at ?? null,
      });
      continue;
    }
    usableRoles.add(key);
    const { fields, edits } = roleEdits(have, want, own === 'adoptable');
    if (fields.length)
      changes.push({
        kind: 'role',
        action: 'update',
        cause: own === 'adoptable' ? 'adopt' : 'drift',
        accountId: want.accountId,
        accountName: accountName(want.accountId),
        name: have.name,
        desired: want,
        fields,
        edits,
      });
  }
  for (const acct of live.iam)
    for (const r of acct.roles) {
      const key = `${acct.accountId}|${lower(r.name)}`;
      if (r.tags[MANAGED_TAG] !== inst || r.path !== model.settings.rolePath || wantRoleKeys.has(key)) continue;
      changes.push({
        kind: 'role',
        action: 'delete',
        cause: everRoleKeys.has(key) ? 'expired' : 'file',
        accountId: acct.accountId,
        accountName: accountName(acct.accountId),
        name: r.name,
        arn: r.arn,
        managed: r.managed,
        inline: Object.keys(r.inline),
        boundary: r.boundaryArn !== null,
      });
    }

  const registered = new Set(live.keyway.accounts.map((a) => a.id));
  const registeredNames = new Set(live.keyway.accounts.map((a) => lower(a.name)));
  for (const a of desired.federatedAccounts)
    if (!registered.has(a.id)) {
      const name = registeredNames.has(lower(a.name)) ? `${a.name}-${a.id}` : a.name;
      changes.push({ kind: 'keyway-account', action: 'create', cause: 'file', accountId: a.id, accountName: name });
    }

  const groupById = new Map(live.keyway.groups.map((g) => [g.id, g.displayName]));
  const bindingKey = (groupId: string, accountId: string, roleName: string, rolePath: string) =>
    `${groupId}|${accountId}|${lower(roleName)}|${rolePath}`;
  const wantBindings = new Set<string>();
  for (const b of desired.bindings) {
    const g = keywayGroups.get(lower(b.group));
    if (!g || !usableRoles.has(`${b.accountId}|${lower(b.roleName)}`)) continue;
    const key = bindingKey(g.id, b.accountId, b.roleName, b.rolePath);
    wantBindings.add(key);
    if (!live.keyway.bindings.some((x) => bindingKey(x.groupId, x.accountId, x.roleName, x.rolePath) === key))
      changes.push({
        kind: 'binding',
        action: 'create',
        cause: 'file',
        group: g.displayName,
        groupId: g.id,
        accountId: b.accountId,
        accountName: accountName(b.accountId),
        roleName: b.roleName,
        rolePath: b.rolePath,
        grants: b.grants,
      });
  }
  const everBindings = new Set(
    desiredWithExpired.bindings.map((b) => {
      const g = keywayGroups.get(lower(b.group));
      return g ? bindingKey(g.id, b.accountId, b.roleName, b.rolePath) : '';
    }),
  );
  for (const x of live.keyway.bindings) {
    const key = bindingKey(x.groupId, x.accountId, x.roleName, x.rolePath);
    if (wantBindings.has(key)) continue;
    if (x.rolePath !== model.settings.rolePath) {
      findings.push({
        severity: 'warning',
        rule: 'hand-made-binding',
        message: `binding ${groupById.get(x.groupId) ?? x.groupId} → ${x.rolePath}${x.roleName} in ${accountName(x.accountId)} was made by hand and is not in the file`,
        at: null,
      });
      continue;
    }
    changes.push({
      kind: 'binding',
      action: 'delete',
      cause: everBindings.has(key) ? 'expired' : 'file',
      bindingId: x.id,
      group: groupById.get(x.groupId) ?? x.groupId,
      accountId: x.accountId,
      accountName: accountName(x.accountId),
      roleName: x.roleName,
      rolePath: x.rolePath,
    });
  }
  return { changes, findings };
}

const providerAccount = (arn: string): string => arn.split(':')[4] ?? '';
