import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadActionCatalogue, parsePolicyDocument, type ActionCatalogue } from '../../iam-policy/index.js';
import { analyse, RULES, type AnalysisInput } from './index.js';

/**
 * The fixture corpus under test/fixtures/analysis: one case per escalation method and per rule, each with a
 * dangerous twin the rule must find and a safe twin (denied, bounded or scoped) it must not.
 */
const ROOT = join(import.meta.dirname, '../../../test/fixtures/analysis');

interface RawPolicy {
  name: string;
  document: unknown;
}
interface RawPermission {
  name?: string;
  policies: RawPolicy[];
  boundary?: RawPolicy;
  sessionDuration?: string;
  customerManagedReferences?: string[];
}
interface RawSide {
  permission?: RawPermission;
  permissions?: RawPermission[];
  groups?: { name: string; members: string[]; temporary?: boolean }[];
  grants?: { id: string; group: string; permission: string; accounts: string[]; until?: string }[];
  accounts?: { id: string; name: string; management?: boolean }[];
  customerManagedDigests?: Record<string, Record<string, string>>;
  expect?: { people?: string[]; accounts?: string[] };
}
interface Fixture {
  file: string;
  rule: string;
  method?: string;
  description: string;
  dangerous: RawSide;
  safe: RawSide;
}

function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const entry of readdirSync(ROOT, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const file = join(entry.parentPath, entry.name);
    out.push({ file: relative(ROOT, file), ...(parse(readFileSync(file, 'utf8')) as Omit<Fixture, 'file'>) });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

const policy = (p: RawPolicy) => ({ name: p.name, document: parsePolicyDocument(p.document) });

/** A side with a single `permission` is that permission granted to one person in one account. */
function inputOf(side: RawSide, catalogue: ActionCatalogue): AnalysisInput {
  const single = side.permission === undefined ? undefined : { name: 'P', ...side.permission };
  const permissions = single ? [single] : (side.permissions ?? []);
  return {
    permissions: permissions.map((p) => ({
      name: p.name ?? 'P',
      policies: p.policies.map(policy),
      boundary: p.boundary ? policy(p.boundary) : undefined,
      sessionDuration: p.sessionDuration,
      customerManagedReferences: p.customerManagedReferences,
    })),
    groups: side.groups ?? [{ name: 'team', members: ['carol'] }],
    grants:
      side.grants ??
      permissions.map((p, i) => ({
        id: `grants[${i}]`,
        group: 'team',
        permission: p.name ?? 'P',
        accounts: ['111111111111'],
      })),
    accounts: side.accounts ?? [{ id: '111111111111', name: 'Production' }],
    footprint: { samlProviders: ['arn:aws:iam::*:saml-provider/Keyway'], roles: ['arn:aws:iam::*:role/keyway/*'] },
    customerManagedDigests:
      side.customerManagedDigests === undefined
        ? undefined
        : new Map(Object.entries(side.customerManagedDigests).map(([a, m]) => [a, new Map(Object.entries(m))])),
    catalogue,
    now: new Date('2026-12-08T00:00:00Z'),
  };
}

let catalogue: ActionCatalogue;
before(async () => {
  catalogue = await loadActionCatalogue();
});

const all = fixtures();

test('the corpus has a case for every escalation method and every rule', async () => {
  const { ESCALATION_METHODS } = await import('./index.js');
  const methods = new Set(all.filter((f) => f.rule === 'privilege-escalation').map((f) => f.method));
  for (const m of ESCALATION_METHODS) assert.ok(methods.has(m.id), `no fixture for escalation method ${m.id}`);
  const rules = new Set(all.map((f) => f.rule));
  for (const r of RULES) assert.ok(rules.has(r.id), `no fixture for rule ${r.id}`);
});

for (const f of all) {
  describe(`fixture ${f.file}`, () => {
    const rule = () => {
      const r = RULES.find((x) => x.id === f.rule);
      assert.ok(r, `unknown rule ${f.rule}`);
      return r;
    };
    const matching = (side: RawSide) =>
      analyse(inputOf(side, catalogue), [rule()]).findings.filter(
        (x) => f.method === undefined || x.message.includes(`[${f.method}]`),
      );

    test(`the dangerous twin is found: ${f.description.split('Safe twin')[0]?.trim()}`, () => {
      const found = matching(f.dangerous);
      assert.ok(found.length > 0, `${f.rule}${f.method ? `/${f.method}` : ''} found nothing`);
      const expect = f.dangerous.expect;
      if (expect?.people) assert.deepEqual(found[0]?.people, expect.people);
      if (expect?.accounts) assert.deepEqual(found[0]?.accounts, expect.accounts);
      for (const finding of found) {
        assert.ok(finding.fix.length > 0 && finding.message.length > 0);
      }
    });

    test(`the safe twin is not: ${f.description.split('Safe twin')[1]?.replace(/^:\s*/, '').trim()}`, () => {
      const found = matching(f.safe);
      assert.deepEqual(
        found.map((x) => x.message),
        [],
      );
    });
  });
}
