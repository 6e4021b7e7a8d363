import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  loadActionCatalogue,
  loadAwsManagedPolicies,
  parsePolicyDocument,
  type ActionCatalogue,
  type AwsManagedPolicyCatalogue,
} from '../../iam-policy/index.js';
import { analyse, type AnalysisReport } from './index.js';

let catalogue: ActionCatalogue;
let managed: AwsManagedPolicyCatalogue;
before(async () => {
  catalogue = await loadActionCatalogue();
  managed = loadAwsManagedPolicies();
});

/** One AWS-managed policy as a permission of its own, granted to one person in one member account. */
function analyseManaged(name: string): AnalysisReport {
  const policy = managed.find(name);
  assert.ok(policy, `${name} is in the catalogue`);
  return analyse({
    permissions: [
      {
        name,
        policies: [{ name: policy.arn, document: parsePolicyDocument(policy.versions.get(policy.defaultVersionId)) }],
      },
    ],
    grants: [{ id: 'grants[0]', group: 'team', permission: name, accounts: ['111111111111'] }],
    groups: [{ name: 'team', members: ['carol'] }],
    accounts: [{ id: '111111111111', name: 'Production' }],
    footprint: { samlProviders: ['arn:aws:iam::*:saml-provider/Keyway'], roles: ['arn:aws:iam::*:role/keyway/*'] },
    catalogue,
    now: new Date('2026-12-08T00:00:00Z'),
  });
}

const ESCALATION_RULES = ['privilege-escalation', 'control-plane-takeover', 'admin-equivalence'];

for (const name of ['ReadOnlyAccess', 'ViewOnlyAccess', 'SecurityAudit']) {
  test(`AWS-managed ${name} raises no escalation finding and is not classed as escalating`, () => {
    const report = analyseManaged(name);
    assert.deepEqual(
      report.findings.filter((f) => ESCALATION_RULES.includes(f.rule)).map((f) => f.message),
      [],
    );
    assert.ok(!['admin', 'privilege-escalation'].includes(report.classification.get(name) ?? ''));
  });
}

test('AWS-managed AdministratorAccess is classified admin', () => {
  assert.equal(analyseManaged('AdministratorAccess').classification.get('AdministratorAccess'), 'admin');
});

test('AWS-managed IAMFullAccess escalates (policy versions, attach and put policy) and can rewrite Keyway roles', () => {
  const report = analyseManaged('IAMFullAccess');
  assert.equal(report.classification.get('IAMFullAccess'), 'privilege-escalation');
  const methods = report.findings.filter((f) => f.rule === 'privilege-escalation').map((f) => f.message);
  for (const id of ['iam-create-policy-version', 'iam-attach-user-policy', 'iam-put-user-policy']) {
    assert.ok(
      methods.some((m) => m.includes(`[${id}]`)),
      `IAMFullAccess: ${id}`,
    );
  }
  assert.ok(report.findings.some((f) => f.rule === 'control-plane-takeover'));
});

test('AWS-managed PowerUserAccess is not an administrator but escalates through existing compute roles', () => {
  const report = analyseManaged('PowerUserAccess');
  assert.equal(report.classification.get('PowerUserAccess'), 'privilege-escalation');
  const methods = report.findings.filter((f) => f.rule === 'privilege-escalation').map((f) => f.message);
  assert.ok(methods.some((m) => m.includes('[lambda-update-function-code]')));
  assert.ok(!methods.some((m) => m.includes('[iam-create-policy-version]')), 'no IAM write in PowerUserAccess');
});
