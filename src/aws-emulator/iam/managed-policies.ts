/**
 * AWS-managed policies exist in every account under `arn:aws:iam::aws:policy/...`. The emulator knows the
 * ones Keyway's templates and Identity Center permission sets refer to; their ids are derived from the name
 * so they are stable across runs.
 */
import { createHash } from 'node:crypto';

export interface AwsManagedPolicy {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly policyId: string;
  readonly description: string;
}

const DEFINITIONS: readonly [name: string, path: string, description: string][] = [
  ['AdministratorAccess', '/', 'Provides full access to AWS services and resources.'],
  [
    'PowerUserAccess',
    '/',
    'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
  ],
  ['ReadOnlyAccess', '/', 'Provides read-only access to AWS services and resources.'],
  ['SecurityAudit', '/', 'The security audit template grants access to read security configuration metadata.'],
  ['IAMFullAccess', '/', 'Provides full access to IAM via the AWS Management Console.'],
  ['IAMReadOnlyAccess', '/', 'Provides read only access to IAM via the AWS Management Console.'],
  ['AmazonS3ReadOnlyAccess', '/', 'Provides read only access to all buckets via the AWS Management Console.'],
  ['AmazonEC2ReadOnlyAccess', '/', 'Provides read only access to Amazon EC2 via the AWS Management Console.'],
  [
    'ViewOnlyAccess',
    '/job-function/',
    'This policy grants permissions to view resources and basic metadata across all AWS services.',
  ],
  ['Billing', '/job-function/', 'Grants permissions for billing and cost management.'],
  [
    'SystemAdministrator',
    '/job-function/',
    'Grants full access permissions necessary for resources required for application and development operations.',
  ],
  [
    'DatabaseAdministrator',
    '/job-function/',
    'Grants full access permissions to AWS services and actions required to set up and configure AWS database services.',
  ],
  [
    'NetworkAdministrator',
    '/job-function/',
    'Grants full access permissions to AWS services and actions required to set up and configure AWS network resources.',
  ],
  [
    'SupportUser',
    '/job-function/',
    'This policy grants permissions to troubleshoot and resolve issues in an AWS account.',
  ],
  ['DataScientist', '/job-function/', 'Grants permissions to AWS data analytics services.'],
];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function stableId(name: string): string {
  const digest = createHash('sha256').update(`aws-managed-policy/${name}`).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += ALPHABET[(digest[i] as number) & 31];
  return id;
}

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = DEFINITIONS.map(([name, path, description]) => ({
  name,
  path,
  description,
  arn: `arn:aws:iam::aws:policy${path}${name}`,
  policyId: stableId(name),
}));

const BY_ARN = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}
