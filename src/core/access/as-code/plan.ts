/**
 * A plan is data: the typed changes, what they mean for people, the findings, and the live state the plan
 * was made from (with its digest, so a saved plan is refused once AWS has moved on).
 */
import { createHash } from 'node:crypto';
import { actionOf, type AccessChange } from './changes.js';
import { desiredState, type FederationContext } from './desired.js';
import { diffAccess } from './diff.js';
import { membersWithPaths, type DirectorySnapshot } from './directory-snapshot.js';
import type { LiveState } from './live.js';
import { MANAGED_TAG, type AccessFinding, type AccessModel, type Delivery } from './model.js';

export const ACCESS_PLAN_FORMAT = 'keyway-access-plan';
export const ACCESS_PLAN_VERSION = 1;
/** Grants ending within this window are listed on every plan. */
export const EXPIRY_WARNING_DAYS = 7;

export interface PersonEffect {
  readonly user: string;
  readonly effect: 'gains' | 'loses';
  readonly permission: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly delivery: Delivery;
}

export interface ExpiringGrant {
  readonly grant: number;
  readonly group: string;
  readonly permission: string;
  readonly until: string;
  readonly expired: boolean;
}

export interface AccessPlan {
  readonly format: typeof ACCESS_PLAN_FORMAT;
  readonly formatVersion: typeof ACCESS_PLAN_VERSION;
  readonly createdAt: string;
  readonly installation: string;
  readonly files: readonly string[];
  readonly liveDigest: string;
  readonly changes: readonly AccessChange[];
  readonly effects: readonly PersonEffect[];
  readonly findings: readonly AccessFinding[];
  readonly expiring: readonly ExpiringGrant[];
  readonly live: LiveState;
}

const stable = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(stable);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
    );
  return v;
};

/** SHA-256 over a canonical JSON form: equal live states have equal digests whatever the read order. */
export const liveDigest = (live: LiveState): string =>
  createHash('sha256')
    .update(JSON.stringify(stable(live)))
    .digest('hex');

interface Holding {
  readonly principal: { readonly kind: 'group' | 'user'; readonly name: string };
  readonly permission: string;
  readonly accountId: string;
  readonly delivery: Delivery;
}
const holdingKey = (h: Holding) =>
  `${h.principal.kind}|${h.principal.name.toLowerCase()}|${h.permission}|${h.accountId}|${h.delivery}`;

/** What the file's own objects grant now: assignments of its permission sets and its bindings. */
function ownedHoldings(model: AccessModel, live: LiveState): Holding[] {
  const out: Holding[] = [];
  const inst = model.settings.installation;
  if (live.idc) {
    const ps = new Map(live.idc.permissionSets.filter((p) => p.tags[MANAGED_TAG] === inst).map((p) => [p.arn, p.name]));
    const groups = new Map(live.idc.groups.map((g) => [g.id, g.displayName]));
    const users = new Map(live.idc.users.map((u) => [u.id, u.userName]));
    for (const a of live.idc.assignments) {
      const permission = ps.get(a.permissionSetArn);
      if (!permission) continue;
      const name = (a.principalType === 'GROUP' ? groups : users).get(a.principalId) ?? a.principalId;
      out.push({
        principal: { kind: a.principalType === 'GROUP' ? 'group' : 'user', name },
        permission,
        accountId: a.accountId,
        delivery: 'identity-center',
      });
    }
  }
  const groupNames = new Map(live.keyway.groups.map((g) => [g.id, g.displayName]));
  for (const b of live.keyway.bindings)
    if (b.rolePath === model.settings.rolePath)
      out.push({
        principal: { kind: 'group', name: groupNames.get(b.groupId) ?? b.groupId },
        permission: b.roleName,
        accountId: b.accountId,
        delivery: 'iam-federation',
      });
  return out;
}

function holdingOf(c: AccessChange): Holding | null {
  if (c.kind === 'assignment')
    return {
      principal: { kind: c.principalType === 'GROUP' ? 'group' : 'user', name: c.principal },
      permission: c.permissionSet,
      accountId: c.accountId,
      delivery: 'identity-center',
    };
  if (c.kind === 'binding')
    return {
      principal: { kind: 'group', name: c.group },
      permission: c.roleName,
      accountId: c.accountId,
      delivery: 'iam-federation',
    };
  return null;
}

/** "carol gains Admin in Production": holdings before and after the changes, expanded to people. */
export function personEffects(
  model: AccessModel,
  live: LiveState,
  changes: readonly AccessChange[],
  dir: DirectorySnapshot,
): PersonEffect[] {
  const before = new Map(ownedHoldings(model, live).map((h) => [holdingKey(h), h]));
  const after = new Map(before);
  for (const c of changes) {
    const h = holdingOf(c);
    if (!h) continue;
    if (actionOf(c) === 'delete') after.delete(holdingKey(h));
    else after.set(holdingKey(h), h);
  }
  const groupByName = new Map(dir.groups.map((g) => [g.displayName.toLowerCase(), g.id]));
  const userName = new Map(dir.users.map((u) => [u.id, u.userName]));
  const expandCache = new Map<string, string[]>();
  const people = (h: Holding): string[] => {
    if (h.principal.kind === 'user') return [h.principal.name];
    const gid = groupByName.get(h.principal.name.toLowerCase());
    if (!gid) return [];
    let hit = expandCache.get(gid);
    if (!hit) {
      hit = membersWithPaths(dir, gid).map((m) => userName.get(m.userId) ?? m.userId);
      expandCache.set(gid, hit);
    }
    return hit;
  };
  const personSet = (hs: Map<string, Holding>) => {
    const m = new Map<string, Holding & { user: string }>();
    for (const h of hs.values())
      for (const user of people(h)) m.set(`${user}|${h.permission}|${h.accountId}|${h.delivery}`, { ...h, user });
    return m;
  };
  const b = personSet(before);
  const a = personSet(after);
  const name = (id: string) => live.org.accounts.find((x) => x.id === id)?.name ?? id;
  const out: PersonEffect[] = [];
  for (const [k, h] of a)
    if (!b.has(k))
      out.push({
        user: h.user,
        effect: 'gains',
        permission: h.permission,
        accountId: h.accountId,
        accountName: name(h.accountId),
        delivery: h.delivery,
      });
  for (const [k, h] of b)
    if (!a.has(k))
      out.push({
        user: h.user,
        effect: 'loses',
        permission: h.permission,
        accountId: h.accountId,
        accountName: name(h.accountId),
        delivery: h.delivery,
      });
  return out.sort(
    (x, y) =>
      x.user.localeCompare(y.user) ||
      x.effect.localeCompare(y.effect) ||
      x.permission.localeCompare(y.permission) ||
      x.accountName.localeCompare(y.accountName),
  );
}

export interface PlanInput {
  readonly model: AccessModel;
  readonly live: LiveState;
  readonly directory: DirectorySnapshot;
  readonly federation: FederationContext | null;
  readonly now: Date;
  /** Findings from reading the file (warnings) and from the adapters (unknown managed policies). */
  readonly findings?: readonly AccessFinding[];
}

export function makeAccessPlan(input: PlanInput): AccessPlan {
  const { model, live, now } = input;
  const base = { model, org: live.org, now, federation: input.federation };
  const d = desiredState(base);
  const all = desiredState({ ...base, includeExpired: true });
  const diff = diffAccess({ model, desired: d.desired, desiredWithExpired: all.desired, live, now });
  const soon = now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000;
  const expiring: ExpiringGrant[] = model.grants
    .filter((g) => g.until !== null && Date.parse(g.until) <= soon)
    .map((g) => ({
      grant: g.index,
      group: g.group,
      permission: g.permission,
      until: g.until as string,
      expired: Date.parse(g.until as string) <= now.getTime(),
    }));
  const findings = [...(input.findings ?? []), ...d.findings, ...diff.findings];
  for (const e of expiring)
    findings.push({
      severity: 'warning',
      rule: e.expired ? 'expired' : 'expires-soon',
      message: e.expired
        ? `grant #${e.grant + 1} (${e.group} → ${e.permission}) expired at ${e.until}; its access is removed`
        : `grant #${e.grant + 1} (${e.group} → ${e.permission}) expires at ${e.until}`,
      at: model.grants[e.grant]?.fieldAt.until ?? null,
    });
  return {
    format: ACCESS_PLAN_FORMAT,
    formatVersion: ACCESS_PLAN_VERSION,
    createdAt: now.toISOString(),
    installation: model.settings.installation,
    files: model.files,
    liveDigest: liveDigest(live),
    changes: diff.changes,
    effects: personEffects(model, live, diff.changes, input.directory),
    findings,
    expiring,
    live,
  };
}

export function planCounts(changes: readonly AccessChange[]): { create: number; update: number; delete: number } {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[actionOf(c)]++;
  return n;
}

/** A saved plan from another format or version is refused rather than misread. */
export function checkPlanFormat(raw: unknown): AccessPlan {
  const p = raw as Partial<AccessPlan> | null;
  if (!p || p.format !== ACCESS_PLAN_FORMAT)
    throw new Error('not a Keyway access plan (made by keyway access plan --out)');
  if (p.formatVersion !== ACCESS_PLAN_VERSION)
    throw new Error(
      `access plan format version ${String(p.formatVersion)} is not supported (this Keyway reads version ${ACCESS_PLAN_VERSION})`,
    );
  return p as AccessPlan;
}

/** Only the changes `keyway access expire` may make: removals caused by grants whose `until` has passed. */
export const expiryOnly = (plan: AccessPlan): AccessPlan => ({
  ...plan,
  changes: plan.changes.filter((c) => c.cause === 'expired'),
});

/** What `keyway access drift` reports: objects that exist but differ from the file, and hand-made assignments. */
export const driftOnly = (changes: readonly AccessChange[]): AccessChange[] =>
  changes.filter((c) => c.cause === 'drift');
