import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * How Keyway reaches one AWS account: real AWS with the SDK's default credential chain (or a named profile),
 * or the emulator through an endpoint URL. The same code path serves both.
 */
export interface AwsTarget {
  readonly region?: string;
  /** e.g. the emulator; otherwise AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL apply as the SDK reads them. */
  readonly endpoint?: string;
  readonly credentials?: IAMClientConfig['credentials'];
  readonly profile?: string;
  readonly maxAttempts?: number;
}

const common = (t: AwsTarget) => ({
  // IAM is global and signs in us-east-1 (AWS General Reference, "AWS Identity and Access Management endpoints and
  // quotas").
  region: t.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  ...(t.endpoint ? { endpoint: t.endpoint } : {}),
  ...(t.credentials ? { credentials: t.credentials } : {}),
  ...(t.profile ? { profile: t.profile } : {}),
  ...(t.maxAttempts ? { maxAttempts: t.maxAttempts } : {}),
});

export const iamClient = (t: AwsTarget): IAMClient => new IAMClient(common(t));
export const stsClient = (t: AwsTarget): STSClient => new STSClient(common(t));
