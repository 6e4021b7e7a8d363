import { AssumeRoleWithSAMLCommand } from '@aws-sdk/client-sts';
import { DomainError } from '../core/index.js';
import { stsClient, type AwsTarget } from './clients.js';

export interface SamlCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleArn: string;
}

export interface AssumeWithSamlInput {
  readonly roleArn: string;
  readonly principalArn: string;
  /** Base64 of the whole samlp:Response (AWS STS API Reference, "AssumeRoleWithSAML"). */
  readonly samlResponse: string;
  readonly durationSeconds?: number;
}

/**
 * STS AssumeRoleWithSAML. The operation is unsigned (AWS STS API Reference, "AssumeRoleWithSAML"), so the client gets
 * no credentials and the
 * SDK's default chain is never consulted.
 */
export async function assumeRoleWithSaml(
  target: Omit<AwsTarget, 'credentials' | 'profile'>,
  input: AssumeWithSamlInput,
): Promise<SamlCredentials> {
  const sts = stsClient({ ...target, credentials: { accessKeyId: '', secretAccessKey: '' } });
  try {
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: input.roleArn,
        PrincipalArn: input.principalArn,
        SAMLAssertion: input.samlResponse,
        ...(input.durationSeconds ? { DurationSeconds: input.durationSeconds } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new DomainError('precondition_failed', 'STS answered AssumeRoleWithSAML without credentials');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
      assumedRoleArn: out.AssumedRoleUser?.Arn ?? '',
    };
  } finally {
    sts.destroy();
  }
}
