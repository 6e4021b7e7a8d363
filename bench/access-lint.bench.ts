/**
 * Access analysis at organisation scale: `keyway access lint` over 500 permissions granted across 1,000
 * accounts. Reported per permission, and as a multiple of one IAM decision (one action checked against one
 * permission's policies) measured in the same run, so the figure reads the same on any machine.
 */
import {
  compilePolicySet,
  decide,
  loadActionCatalogue,
  loadAwsManagedPolicies,
  parsePolicyDocument,
  type NamedPolicy,
} from '../src/iam-policy/index.js';
import { analyse, type AnalysisInput, type GrantInput, type PermissionInput } from '../src/core/index.js';
import type { BenchModule } from './run.js';
import { perCpuSecond } from './measure.js';

const PERMISSIONS = 500;
const ACCOUNTS = 1_000;
const GROUPS = 200;

/** A small deterministic generator, so every run lints the same organisation. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const MANAGED = [
  'ReadOnlyAccess',
  'ViewOnlyAccess',
  'SecurityAudit',
  'PowerUserAccess',
  'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess',
  'AmazonEC2FullAccess',
  'AmazonEC2ReadOnlyAccess',
  'AmazonDynamoDBFullAccess',
  'AWSLambda_FullAccess',
  'CloudWatchReadOnlyAccess',
  'AmazonRDSReadOnlyAccess',
  'AWSCloudFormationReadOnlyAccess',
  'IAMReadOnlyAccess',
  'AmazonSQSFullAccess',
  'AmazonSNSReadOnlyAccess',
];
const SERVICES = ['s3', 'ec2', 'lambda', 'dynamodb', 'sqs', 'sns', 'kms', 'logs', 'cloudwatch', 'iam', 'ssm', 'glue'];
const VERBS = ['Get*', 'List*', 'Describe*', 'Put*', 'Create*', 'Delete*', 'Update*', '*'];

function organisation(rand: () => number, managed: ReturnType<typeof loadAwsManagedPolicies>) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const permissions: PermissionInput[] = [];
  for (let i = 0; i < PERMISSIONS; i++) {
    const policies: NamedPolicy[] = [];
    if (rand() < 0.6) {
      const m = managed.find(pick(MANAGED));
      if (m) policies.push({ name: m.arn, document: parsePolicyDocument(m.versions.get(m.defaultVersionId)) });
    }
    const statements: object[] = [];
    for (let s = 0, n = 1 + Math.floor(rand() * 4); s < n; s++) {
      const actions = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => `${pick(SERVICES)}:${pick(VERBS)}`);
      statements.push({
        Effect: rand() < 0.15 ? 'Deny' : 'Allow',
        Action: actions,
        Resource: rand() < 0.5 ? '*' : `arn:aws:${pick(SERVICES)}:*:*:team-${i % 37}-*`,
      });
    }
    if (rand() < 0.2) statements.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' });
    policies.push({ name: 'inline', document: parsePolicyDocument({ Version: '2012-10-17', Statement: statements }) });
    permissions.push({
      name: `perm-${i}`,
      policies,
      boundary:
        rand() < 0.1
          ? {
              name: 'boundary',
              document: parsePolicyDocument({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }],
              }),
            }
          : undefined,
      sessionDuration: pick(['PT1H', 'PT4H', 'PT8H']),
    });
  }
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
    id: String(100_000_000_000 + i),
    name: `account-${i}`,
    management: i === 0,
  }));
  const groups = Array.from({ length: GROUPS }, (_, g) => ({
    name: `group-${g}`,
    members: Array.from({ length: 2 + Math.floor(rand() * 10) }, () => `user-${Math.floor(rand() * 2_000)}`),
    temporary: rand() < 0.05,
  }));
  const grants: GrantInput[] = permissions.flatMap((p, i) =>
    Array.from({ length: 2 }, (_, k) => {
      const start = Math.floor(rand() * (ACCOUNTS - 20));
      return {
        id: `grants[${2 * i + k}]`,
        group: pick(groups).name,
        permission: p.name,
        accounts: accounts.slice(start, start + 1 + Math.floor(rand() * 20)).map((a) => a.id),
      };
    }),
  );
  return { permissions, accounts, groups, grants };
}

const bench: BenchModule = {
  name: 'access analysis: lint of 500 permissions across 1,000 accounts',
  async run() {
    const catalogue = await loadActionCatalogue();
    const managed = loadAwsManagedPolicies();
    const org = organisation(random(7), managed);
    const input: AnalysisInput = {
      ...org,
      footprint: { samlProviders: ['arn:aws:iam::*:saml-provider/Keyway'], roles: ['arn:aws:iam::*:role/keyway/*'] },
      catalogue,
      now: new Date('2026-12-08T00:00:00Z'),
    };
    const reference = compilePolicySet({ identity: org.permissions[0]?.policies ?? [] });
    const decisionsPerSecond = await perCpuSecond(
      () => decide(reference, { action: 's3:PutObject', resource: '*' }),
      1_000,
      2_000_000,
    );
    const cpu0 = process.cpuUsage();
    const report = analyse(input);
    const used = process.cpuUsage(cpu0);
    const ms = (used.user + used.system) / 1000;
    const perPermission = ms / PERMISSIONS;
    const byRule = new Map<string, number>();
    for (const f of report.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    return {
      figures: [
        { label: 'lint, CPU per permission', value: perPermission, unit: 'ms' },
        { label: 'lint, whole organisation', value: ms / 1000, unit: 's' },
        {
          label: 'one permission costs, in single IAM decisions',
          value: (perPermission / 1000) * decisionsPerSecond,
          unit: 'x',
        },
        { label: 'findings', value: report.findings.length, unit: '' },
        ...[...byRule].map(([rule, n]) => ({ label: `  ${rule}`, value: n, unit: '' })),
      ],
      verdict: `${org.grants.length} grants, ${org.groups.length} groups; figures are CPU time of this process.`,
    };
  },
};

export default bench;
