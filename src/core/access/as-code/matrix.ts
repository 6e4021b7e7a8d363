/**
 * Effective access: who can reach which account with which permission, and why — user → group path → grant
 * → permission → account — from the directory and live AWS state, including access that exists in AWS (or
 * in Keyway's bindings) but not in the file.
 */
import { isActive } from './desired.js';
import { membersWithPaths, type DirectorySnapshot } from './directory-snapshot.js';
import type { LiveState } from './live.js';
import { MANAGED_TAG, type AccessModel, type Delivery } from './model.js';
import { resolveGrants } from './org.js';

export type MatrixSource = 'file' | 'aws-only' | 'keyway-only';

export interface MatrixRow {
  readonly user: string;
  readonly userStatus: string;
  /** Group names from the user's direct group up to the group that holds the access; empty for a user assignment. */
  readonly path: readonly string[];
  /** `grant #n` when the file explains it; otherwise what holds it. */
  readonly grant: string;
  readonly reason: string | null;
  readonly until: string | null;
  readonly permission: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly delivery: Delivery;
  readonly source: MatrixSource;
}

export interface MatrixInput {
  readonly model: AccessModel | null;
  readonly live: LiveState;
  readonly directory: DirectorySnapshot;
  readonly now: Date;
}

export function effectiveAccess(input: MatrixInput): MatrixRow[] {
  const { model, live, directory, now } = input;
  const rows: MatrixRow[] = [];
  const accountName = new Map(live.org.accounts.map((a) => [a.id, a.name]));
  const users = new Map(directory.users.map((u) => [u.id, u]));
  const groupByName = new Map(directory.groups.map((g) => [g.displayName.toLowerCase(), g.id]));
  const resolved = model ? resolveGrants(model, live.org).grants.filter((r) => isActive(r.grant, now)) : [];
  const explain = (group: string, permission: string, accountId: string, delivery: Delivery) =>
    resolved.find(
      (r) =>
        r.grant.group.toLowerCase() === group.toLowerCase() &&
        r.grant.permission === permission &&
        r.grant.delivery === delivery &&
        r.accounts.some((a) => a.id === accountId),
    )?.grant;
  const expand = (
    group: string,
    base: Omit<MatrixRow, 'user' | 'userStatus' | 'path' | 'grant' | 'reason' | 'until' | 'source'>,
    fileOwned: boolean,
    otherwise: { grant: string; source: MatrixSource },
  ) => {
    const g = fileOwned ? explain(group, base.permission, base.accountId, base.delivery) : undefined;
    const why = g
      ? { grant: `grant #${g.index + 1}`, reason: g.reason, until: g.until, source: 'file' as const }
      : { ...otherwise, reason: null, until: null };
    const gid = groupByName.get(group.toLowerCase());
    if (!gid) {
      rows.push({ ...base, ...why, user: `(group ${group}, not in Keyway)`, userStatus: 'unknown', path: [group] });
      return;
    }
    for (const m of membersWithPaths(directory, gid)) {
      const u = users.get(m.userId);
      if (u) rows.push({ ...base, ...why, user: u.userName, userStatus: u.status, path: m.path });
    }
  };

  if (live.idc) {
    const ps = new Map(live.idc.permissionSets.map((p) => [p.arn, p]));
    const groups = new Map(live.idc.groups.map((g) => [g.id, g.displayName]));
    const idcUsers = new Map(live.idc.users.map((u) => [u.id, u.userName]));
    const inst = model?.settings.installation;
    for (const a of live.idc.assignments) {
      const p = ps.get(a.permissionSetArn);
      if (!p) continue;
      const base = {
        permission: p.name,
        accountId: a.accountId,
        accountName: accountName.get(a.accountId) ?? a.accountId,
        delivery: 'identity-center' as const,
      };
      if (a.principalType === 'USER') {
        const name = idcUsers.get(a.principalId) ?? a.principalId;
        const u = directory.users.find((x) => x.userName.toLowerCase() === name.toLowerCase());
        rows.push({
          ...base,
          user: name,
          userStatus: u?.status ?? 'unknown',
          path: [],
          grant: 'assigned to the user in AWS',
          reason: null,
          until: null,
          source: 'aws-only',
        });
        continue;
      }
      expand(groups.get(a.principalId) ?? a.principalId, base, inst !== undefined && p.tags[MANAGED_TAG] === inst, {
        grant: p.tags[MANAGED_TAG] === inst ? 'assignment made by hand' : 'assignment in AWS only',
        source: 'aws-only',
      });
    }
  }
  const keywayGroups = new Map(live.keyway.groups.map((g) => [g.id, g.displayName]));
  for (const b of live.keyway.bindings) {
    const owned = model !== null && b.rolePath === model.settings.rolePath;
    expand(
      keywayGroups.get(b.groupId) ?? b.groupId,
      {
        permission: b.roleName,
        accountId: b.accountId,
        accountName: accountName.get(b.accountId) ?? b.accountId,
        delivery: 'iam-federation',
      },
      owned,
      {
        grant: owned ? 'binding not in the file' : `binding to ${b.rolePath}${b.roleName} made by hand`,
        source: 'keyway-only',
      },
    );
  }
  return rows.sort(
    (x, y) =>
      x.user.localeCompare(y.user) ||
      x.accountName.localeCompare(y.accountName) ||
      x.permission.localeCompare(y.permission) ||
      x.delivery.localeCompare(y.delivery) ||
      x.path.join('>').localeCompare(y.path.join('>')),
  );
}
