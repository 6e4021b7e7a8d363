import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreatePermissionSetCommand,
  ListPermissionSetsCommand,
  DescribePermissionSetCommand,
  UpdatePermissionSetCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-sso-admin';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListParentsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { planCalls, startAccessWorld, type AccessWorld } from './access-helpers.js';

const FILE = (extra = '') => `version: 1
settings:
  installation: test
accounts:
  production:
    ou: /Workloads/Prod
  workloads:
    ou: /Workloads/**
permissions:
  Admin:
    description: Full administrative access
    managed: [AdministratorAccess]
  ReadOnly:
    description: Read everything
    managed: [ReadOnlyAccess]
    sessionDuration: PT8H
    inline:
      Version: "2012-10-17"
      Statement:
        - Effect: Deny
          Action: s3:GetObject
          Resource: arn:aws:s3:::secrets/*
grants:
  - group: Operations
    permission: Admin
    accounts: production
    reason: on call
  - group: Engineering
    permission: ReadOnly
    accounts: workloads
${extra}`;

async function permissionSetArn(w: AccessWorld, name: string): Promise<string> {
  const list = await w.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: w.instanceArn }));
  for (const arn of list.PermissionSets ?? []) {
    const d = await w.ssoAdmin.send(
      new DescribePermissionSetCommand({ InstanceArn: w.instanceArn, PermissionSetArn: arn }),
    );
    if (d.PermissionSet?.Name === name) return arn;
  }
  throw new Error(`no permission set ${name}`);
}

describe('keyway access against the emulator (identity-center delivery)', () => {
  let w: AccessWorld;
  before(async () => {
    w = await startAccessWorld();
  });
  after(async () => w?.close());

  test('a first plan lists permission sets and assignments in Terraform grammar with the effect per person, and writes nothing', async () => {
    w.writeFile('access.yaml', FILE());
    const r = await w.access('plan', '--detailed-exitcode');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^ {2}\+ permission set Admin$/m);
    assert.match(r.stdout, /^ {2}\+ permission set ReadOnly$/m);
    assert.match(r.stdout, /^ {2}\+ Operations → Admin in Production \(333333333333\) {2}grant #1$/m);
    assert.match(r.stdout, /^ {2}\+ Engineering → ReadOnly in Staging \(444444444444\)/m);
    assert.match(r.stdout, /carol gains Admin in Production \(identity-center\)/);
    assert.match(
      r.stdout,
      /bob gains ReadOnly in Development \(identity-center\)/,
      'bob reaches Engineering through Developers',
    );
    assert.match(r.stdout, /^Plan: \d+ to add, 0 to change, 0 to destroy\.$/m);
    assert.equal(planCalls(r.stderr).writes, 0);
  });

  test('apply converges; the next plan says "No changes." and neither plan nor apply writes anything', async () => {
    const applied = await w.access('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Apply complete!/);
    const again = await w.access('plan', '--detailed-exitcode');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^No changes\./m);
    assert.equal(planCalls(again.stderr).writes, 0);
    const noop = await w.access('apply', '--yes');
    assert.equal(noop.code, 0);
    assert.match(noop.stdout, /^No changes\./m);
    assert.equal(planCalls(noop.stderr).writes, 0);
    const arn = await permissionSetArn(w, 'Admin');
    const tags = await w.ssoAdmin.send(
      new ListTagsForResourceCommand({ InstanceArn: w.instanceArn, ResourceArn: arn }),
    );
    assert.deepEqual(tags.Tags, [{ Key: 'keyway:managed', Value: 'test' }]);
  });

  test('an account created and moved into a selected OU is assigned by the next plan, without editing the file', async () => {
    const org = new OrganizationsClient({
      endpoint: w.emu.url,
      region: 'us-east-1',
      credentials: w.emu.rootCredentials('111111111111'),
    });
    const created = await org.send(
      new CreateAccountCommand({ AccountName: 'Checkout', Email: 'aws-checkout@example.com' }),
    );
    let accountId: string | undefined;
    for (;;) {
      const s = await org.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id }),
      );
      if (s.CreateAccountStatus?.State === 'SUCCEEDED') {
        accountId = s.CreateAccountStatus.AccountId;
        break;
      }
      assert.notEqual(s.CreateAccountStatus?.State, 'FAILED', s.CreateAccountStatus?.FailureReason);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(accountId);
    const parent = (await org.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
    await org.send(
      new MoveAccountCommand({ AccountId: accountId, SourceParentId: parent, DestinationParentId: 'ou-kw01-prodenvs' }),
    );
    org.destroy();
    const plan = await w.access('plan');
    assert.match(
      plan.stdout,
      new RegExp(`^ {2}\\+ Operations → Admin in Checkout \\(${accountId}\\) {2}grant #1$`, 'm'),
    );
    assert.match(
      plan.stdout,
      new RegExp(`^ {2}\\+ Engineering → ReadOnly in Checkout \\(${accountId}\\) {2}grant #2$`, 'm'),
    );
    assert.match(plan.stdout, /carol gains Admin in Checkout/);
    assert.equal((await w.access('apply', '--yes')).code, 0);
    assert.match((await w.access('plan')).stdout, /^No changes\./m);
  });

  test('a permission set edited by hand shows as drift, and apply reverts it', async () => {
    const arn = await permissionSetArn(w, 'ReadOnly');
    await w.ssoAdmin.send(
      new UpdatePermissionSetCommand({ InstanceArn: w.instanceArn, PermissionSetArn: arn, SessionDuration: 'PT2H' }),
    );
    const drift = await w.access('drift', '--detailed-exitcode');
    assert.equal(drift.code, 2, drift.stderr);
    assert.match(drift.stdout, /~ permission set ReadOnly {2}\(drift: changed outside the file\)/);
    assert.match(drift.stdout, /~ session duration: PT2H → PT8H/);
    assert.match(drift.stdout, /re-provision to \d+ account\(s\)/);
    assert.equal((await w.access('apply', '--yes')).code, 0);
    const d = await w.ssoAdmin.send(
      new DescribePermissionSetCommand({ InstanceArn: w.instanceArn, PermissionSetArn: arn }),
    );
    assert.equal(d.PermissionSet?.SessionDuration, 'PT8H');
    assert.match((await w.access('drift')).stdout, /^No drift\./m);
  });

  test('a saved plan is refused once AWS changed since it was made', async () => {
    w.writeFile('access.yaml', FILE().replace('sessionDuration: PT8H', 'sessionDuration: PT6H'));
    const saved = await w.access('plan', '--out', 'plan.json');
    assert.equal(saved.code, 0, saved.stderr);
    const arn = await permissionSetArn(w, 'Admin');
    await w.ssoAdmin.send(
      new UpdatePermissionSetCommand({ InstanceArn: w.instanceArn, PermissionSetArn: arn, Description: 'edited' }),
    );
    const refused = await w.access('apply', 'plan.json', '--yes');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /plan\.json is stale: AWS or Keyway changed since it was made/);
    const fresh = await w.access('plan', '--out', 'plan.json');
    assert.equal(fresh.code, 0);
    const ok = await w.access('apply', 'plan.json', '--yes');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match((await w.access('plan')).stdout, /^No changes\./m);
  });

  test('an expired grant disappears from the plan and keyway access expire removes only its access', async () => {
    const grant = '  - group: Finance\n    permission: ReadOnly\n    accounts: production\n    until: 2999-01-31\n';
    w.writeFile('access.yaml', FILE(grant).replace('sessionDuration: PT8H', 'sessionDuration: PT6H'));
    assert.equal((await w.access('apply', '--yes')).code, 0);
    w.writeFile(
      'access.yaml',
      FILE(grant.replace('2999-01-31', '2020-01-31')).replace('sessionDuration: PT8H', 'sessionDuration: PT6H'),
    );
    const plan = await w.access('plan');
    assert.match(plan.stdout, /^ {2}- Finance → ReadOnly in Production \(333333333333\) {2}\(grant expired\)$/m);
    assert.match(plan.stdout, /dave loses ReadOnly in Production/);
    assert.match(plan.stdout, /warning \[expired\] grant #3 \(Finance → ReadOnly\) expired/);
    const expired = await w.access('expire', '--yes');
    assert.equal(expired.code, 0, expired.stderr);
    assert.match(expired.stdout, /Apply complete! 0 to add, 0 to change, 3 to destroy/);
    assert.match((await w.access('plan')).stdout, /^No changes\./m);
  });

  test('an untagged permission set of the same name is left alone until the file adopts it', async () => {
    await w.ssoAdmin.send(
      new CreatePermissionSetCommand({ InstanceArn: w.instanceArn, Name: 'Auditor', SessionDuration: 'PT1H' }),
    );
    const grant = '  - group: Finance\n    permission: Auditor\n    accounts: production\n';
    const withAuditor = FILE(grant)
      .replace('sessionDuration: PT8H', 'sessionDuration: PT6H')
      .replace('grants:', '  Auditor:\n    description: Audits\n    managed: [SecurityAudit]\ngrants:');
    w.writeFile('access.yaml', withAuditor);
    const plan = await w.access('plan');
    assert.match(plan.stdout, /warning \[not-owned\] permission set Auditor exists without the keyway:managed tag/);
    assert.doesNotMatch(plan.stdout, /permission set Auditor$/m);
    assert.doesNotMatch(plan.stdout, /Finance → Auditor/);
    w.writeFile('access.yaml', `${withAuditor}adopt:\n  permissionSets: [Auditor]\n`);
    const adopt = await w.access('plan');
    assert.match(adopt.stdout, /~ permission set Auditor {2}\(adopted by the file\)/);
    assert.match(adopt.stdout, /\+ Finance → Auditor in Production/);
    assert.equal((await w.access('apply', '--yes')).code, 0);
    assert.match((await w.access('plan')).stdout, /^No changes\./m);
  });

  test('docs writes a page per permission with its policies in plain words and who has it, and an index', async () => {
    w.writeFile('access.yaml', FILE());
    const r = await w.access('docs', '--out', 'docs');
    assert.equal(r.code, 0, r.stderr);
    const page = readFileSync(join(w.dir, 'docs', 'ReadOnly.md'), 'utf8');
    assert.match(page, /^# ReadOnly$/m);
    assert.match(page, /AWS-managed policy \*\*ReadOnlyAccess\*\*\n {2}- Allows read/);
    assert.match(page, /Denies read on s3 \(s3:GetObject\) on arn:aws:s3:::secrets\/\\\*/);
    // Accounts are listed by id, and the created account (Checkout) has a random id: compare them as a set.
    const cell = /^\| Engineering \| ([^|]*) \| identity-center \| no end \|/m.exec(page)?.[1] ?? '';
    assert.deepEqual(cell.split(', ').sort(), [
      'Checkout',
      'Development',
      'Payments',
      'Production',
      'Sandbox',
      'Staging',
    ]);
    const index = readFileSync(join(w.dir, 'docs', 'README.md'), 'utf8');
    assert.match(index, /^\| \[Admin\]\(Admin\.md\) \| Full administrative access \| Operations \|$/m);
  });

  test('mistakes in the file are named with file, line, column and rule, and nothing is read from AWS', async () => {
    w.writeFile(
      'access.yaml',
      FILE().replace('permission: Admin', 'permission: Admn').replace('ou: /Workloads/**', 'ou: Workloads'),
    );
    const r = await w.access('plan');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the access file has \d+ errors?/);
    assert.match(r.stderr, /access\.yaml:8:9: error \[schema\.pattern\] \/accounts\/workloads\/ou: must match pattern/);
    w.writeFile('access.yaml', FILE().replace('permission: Admin', 'permission: Admn'));
    const r2 = await w.access('plan');
    assert.match(
      r2.stderr,
      /access\.yaml:25:17: error \[unknown-permission\] grant #1 names permission "Admn", which is not declared \(declared: Admin, ReadOnly\)/,
    );
    w.writeFile('access.yaml', FILE().replace('group: Operations', 'group: Operators'));
    const r3 = await w.access('plan');
    assert.equal(r3.code, 1);
    assert.match(
      r3.stdout,
      /access\.yaml:24:12: error \[unknown-group\] grant #1 names group "Operators", which is not in Keyway's directory/,
    );
  });
});
