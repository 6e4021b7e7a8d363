/**
 * The organisation as Keyway read it, and account selectors resolved against it. AWS has no "assign to an
 * OU" call, so selectors are expanded here on every plan: a new or moved account is covered without editing
 * the file.
 */
import type { AccessFinding, AccessModel, AccountSelector, Grant } from './model.js';

export interface OrgAccount {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  /** OU names from the root down to the account's parent; empty for accounts directly under the root. */
  readonly ouPath: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface OrgSnapshot {
  readonly managementAccountId: string;
  readonly accounts: readonly OrgAccount[];
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

function matchesOne(s: AccountSelector, a: OrgAccount): boolean {
  if (s.ids && !s.ids.includes(a.id)) return false;
  if (s.name !== undefined && !globToRegExp(s.name).test(a.name)) return false;
  if (s.ou) {
    const want = s.ou.path.map((p) => p.toLowerCase());
    const have = a.ouPath.map((p) => p.toLowerCase());
    const prefix = want.every((p, i) => have[i] === p);
    if (!prefix || (s.ou.recursive ? have.length < want.length : have.length !== want.length)) return false;
  }
  if (s.tags) for (const [k, v] of Object.entries(s.tags)) if (a.tags[k] !== v) return false;
  if (s.exclude?.some((x) => matchesOne(x, a))) return false;
  return true;
}

/** Active accounts any of the selectors match, ordered by account id. */
export function selectAccounts(selectors: readonly AccountSelector[], org: OrgSnapshot): OrgAccount[] {
  return org.accounts
    .filter((a) => a.status === 'ACTIVE' && selectors.some((s) => matchesOne(s, a)))
    .sort((x, y) => x.id.localeCompare(y.id));
}

export function grantSelectors(model: AccessModel, g: Grant): AccountSelector[] {
  return g.accounts.kind === 'inline'
    ? [g.accounts.selector]
    : g.accounts.names.flatMap((n) => [...(model.accounts.get(n) ?? [])]);
}

export interface ResolvedGrant {
  readonly grant: Grant;
  readonly accounts: readonly OrgAccount[];
}

/** Each grant with its accounts; a selector or grant that matches nothing is a warning (it may be a typo). */
export function resolveGrants(
  model: AccessModel,
  org: OrgSnapshot,
): { grants: ResolvedGrant[]; findings: AccessFinding[] } {
  const findings: AccessFinding[] = [];
  for (const [name, sels] of model.accounts) {
    if (selectAccounts(sels, org).length === 0)
      findings.push({
        severity: 'warning',
        rule: 'empty-selector',
        message: `account selector ${name} matches no active account`,
        at: model.accountsAt.get(name) ?? null,
      });
  }
  const grants = model.grants.map((grant) => {
    const accounts = selectAccounts(grantSelectors(model, grant), org);
    if (accounts.length === 0 && grant.accounts.kind === 'inline')
      findings.push({
        severity: 'warning',
        rule: 'empty-selector',
        message: `grant #${grant.index + 1} matches no active account`,
        at: grant.fieldAt.accounts ?? grant.at,
      });
    return { grant, accounts };
  });
  return { grants, findings };
}
