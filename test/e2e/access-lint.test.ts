/**
 * `keyway access lint` and the analysis inside plan and apply, against the emulator's demo organisation with
 * the demo people in Keyway: the demo access file lints clean (its accepted findings are acknowledged in it),
 * a dangerous grant is found with its file position, SARIF is well-formed, and apply refuses an
 * unacknowledged finding without making a single write.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListPermissionSetsCommand } from '@aws-sdk/client-sso-admin';
import { startAccessWorld, type AccessWorld } from './access-helpers.js';

let world: AccessWorld;

before(async () => {
  world = await startAccessWorld();
  cpSync(join(import.meta.dirname, '../../examples/access/policies'), join(world.dir, 'policies'), { recursive: true });
});
after(async () => world?.close());

const DANGEROUS = `version: 1
settings: { installation: lint-test }
accounts:
  production: { ou: /Workloads/Prod }
permissions:
  IamHelpdesk:
    description: Resets things in IAM
    managed: [IAMFullAccess]
grants:
  - group: Operations
    permission: IamHelpdesk
    accounts: production
`;

describe('keyway access lint', () => {
  test('the demo access file lints clean: every finding at or above its failOn is acknowledged in it', async () => {
    world.writeFile('access.yaml', readFileSync(join(import.meta.dirname, '../../examples/access/demo.yaml'), 'utf8'));
    const r = await world.access('lint', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const { findings } = JSON.parse(r.stdout) as { findings: { severity: string; acknowledged?: string }[] };
    const open = findings.filter((f) => !f.acknowledged && ['critical', 'high'].includes(f.severity));
    assert.deepEqual(open, []);
  });

  test('a grant of IAMFullAccess is found as privilege escalation, pointing at the permission in the file', async () => {
    world.writeFile('access.yaml', DANGEROUS);
    const r = await world.access('lint', '--format', 'json');
    assert.equal(r.code, 1, 'unacknowledged high findings fail the lint');
    const { findings, classification } = JSON.parse(r.stdout) as {
      findings: { rule: string; permission: string; people: string[]; location: { file: string; line: number } }[];
      classification: Record<string, string>;
    };
    const escalation = findings.find((f) => f.rule === 'privilege-escalation' && f.permission === 'IamHelpdesk');
    assert.ok(escalation, 'privilege-escalation found');
    assert.deepEqual(escalation.location, { file: 'access.yaml', line: 6, column: 3 });
    assert.equal(classification.IamHelpdesk, 'privilege-escalation');
    assert.ok(findings.some((f) => f.rule === 'control-plane-takeover'));
  });

  test('the HTML matrix page carries the findings section', async () => {
    world.writeFile('access.yaml', DANGEROUS);
    const r = await world.access('matrix', '--format', 'html');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<h2 id="findings-title">Findings of the access analysis<\/h2>/);
    assert.match(r.stdout, /<code>privilege-escalation<\/code>/);
  });

  test('SARIF output is a SARIF 2.1.0 log whose results point into the access file', async () => {
    world.writeFile('access.yaml', DANGEROUS);
    const r = await world.access('lint', '--format', 'sarif');
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.ok(run);
    const ids = new Set(run.tool.driver.rules.map((x) => x.id));
    assert.ok(run.results.length > 0);
    for (const result of run.results) {
      assert.ok(ids.has(result.ruleId), `${result.ruleId} is described in tool.driver.rules`);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uri, 'access.yaml');
    }
  });

  test('plan shows the findings beside the changes; apply refuses them and writes nothing', async () => {
    world.writeFile('access.yaml', DANGEROUS);
    const plan = await world.access('plan');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /Access analysis of the planned state:/);
    assert.match(plan.stdout, /high \[privilege-escalation\] \(new in this plan\)/);
    assert.match(plan.stderr, /apply will refuse/);

    const apply = await world.access('apply', '--yes');
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /access analysis found \d+ finding\(s\) at or above high/);
    const sets = await world.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: world.instanceArn }));
    assert.equal(sets.PermissionSets?.length ?? 0, 0, 'nothing was created');
  });

  test('acknowledged findings no longer stop apply, and an acknowledgement of an unknown rule is an error', async () => {
    world.writeFile(
      'access.yaml',
      `${DANGEROUS}analysis:
  acknowledge:
    - rule: no-such-rule
      reason: a rule that does not exist
`,
    );
    const bad = await world.access('lint');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /analysis.acknowledge names rule "no-such-rule"/);

    world.writeFile(
      'access.yaml',
      `${DANGEROUS}analysis:
  acknowledge:
    - rule: privilege-escalation
      permission: IamHelpdesk
      reason: The helpdesk is trusted with IAM; reviewed by security in December 2026
    - rule: control-plane-takeover
      permission: IamHelpdesk
      reason: The helpdesk maintains the federation roles by hand during the migration
`,
    );
    const lint = await world.access('lint');
    assert.match(lint.stdout, /acknowledged: The helpdesk is trusted with IAM/);
    const docs = await world.access('docs', '--out', 'access-docs');
    assert.equal(docs.code, 0, docs.stderr);
    const page = readdirSync(join(world.dir, 'access-docs')).find((f) => /helpdesk/i.test(f));
    assert.ok(page, 'a page for IamHelpdesk');
    assert.match(
      readFileSync(join(world.dir, 'access-docs', page), 'utf8'),
      /## Accepted findings of the access analysis[\s\S]*privilege-escalation`: The helpdesk is trusted with IAM/,
    );
    const apply = await world.access('apply', '--yes');
    assert.equal(apply.code, 0, apply.stderr);
    const sets = await world.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: world.instanceArn }));
    assert.equal(sets.PermissionSets?.length, 1);
  });
});
