/**
 * Clients for everything the access plane reads and writes, from one set of management-account credentials.
 * Member accounts are reached the way AWS organisations do it: assume a role in each (by default
 * OrganizationAccountAccessRole, which Organizations creates in the accounts it creates — Organizations user
 * guide, "Accessing member accounts").
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandOutput,
} from '@aws-sdk/client-sts';
import { DomainError } from '../../core/index.js';
import type { AwsTarget } from '../clients.js';
import { CallLog } from './call-log.js';

type Credentials = NonNullable<AwsTarget['credentials']>;

const config = (t: AwsTarget, log: CallLog, credentials?: Credentials) => ({
  region: t.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  ...(t.endpoint ? { endpoint: t.endpoint } : {}),
  ...(credentials ? { credentials } : t.credentials ? { credentials: t.credentials } : {}),
  ...(t.profile && !credentials ? { profile: t.profile } : {}),
  ...(t.maxAttempts ? { maxAttempts: t.maxAttempts } : {}),
  // ThrottlingException and TooManyRequests back off and retry rather than fail the plan.
  retryMode: 'adaptive' as const,
  logger: log.sdkLogger,
});

type Sendable = { middlewareStack: { add: (...a: never[]) => void } };

function counted<C extends Sendable>(client: C, log: CallLog, service: string): C {
  (client.middlewareStack as unknown as { add: (mw: unknown, o: unknown) => void }).add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      log.record(service, String(context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'keywayCallLog' },
  );
  return client;
}

export interface AccountClients {
  readonly accountId: string;
  readonly iam: IAMClient;
}

export class AwsConnections {
  readonly log = new CallLog();
  readonly organizations: OrganizationsClient;
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  readonly sts: STSClient;
  private readonly members = new Map<string, Promise<AccountClients>>();
  private management: Promise<string> | null = null;
  private readonly all: { destroy(): void }[] = [];

  constructor(
    readonly target: AwsTarget,
    readonly memberRole: string,
  ) {
    this.organizations = this.keep(
      counted(new OrganizationsClient(config(target, this.log)), this.log, 'organizations'),
    );
    this.ssoAdmin = this.keep(counted(new SSOAdminClient(config(target, this.log)), this.log, 'sso-admin'));
    this.identityStore = this.keep(
      counted(new IdentitystoreClient(config(target, this.log)), this.log, 'identitystore'),
    );
    this.sts = this.keep(counted(new STSClient(config(target, this.log)), this.log, 'sts'));
  }

  private keep<C extends { destroy(): void }>(c: C): C {
    this.all.push(c);
    return c;
  }

  /** The account the credentials belong to: the management account. */
  managementAccountId(): Promise<string> {
    this.management ??= this.sts.send(new GetCallerIdentityCommand({})).then((r) => {
      if (!r.Account)
        throw new DomainError('precondition_failed', 'STS did not say which account the credentials belong to');
      return r.Account;
    });
    return this.management;
  }

  /** IAM of one account: the management account directly, a member through its access role. */
  account(accountId: string): Promise<AccountClients> {
    let hit = this.members.get(accountId);
    if (!hit) {
      hit = this.connect(accountId);
      this.members.set(accountId, hit);
      hit.catch(() => this.members.delete(accountId));
    }
    return hit;
  }

  private async connect(accountId: string): Promise<AccountClients> {
    if ((await this.managementAccountId()) === accountId)
      return { accountId, iam: this.keep(counted(new IAMClient(config(this.target, this.log)), this.log, 'iam')) };
    const roleArn = `arn:aws:iam::${accountId}:role/${this.memberRole}`;
    let got: AssumeRoleCommandOutput;
    try {
      got = await this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'keyway-access' }));
    } catch (e) {
      throw new DomainError(
        'precondition_failed',
        `cannot reach account ${accountId}: assuming ${roleArn} failed (${(e as Error).message}); set settings.memberRole to a role the management account may assume there`,
      );
    }
    const c = got.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new DomainError('precondition_failed', `assuming ${roleArn} returned no credentials`);
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    };
    return {
      accountId,
      iam: this.keep(counted(new IAMClient(config(this.target, this.log, credentials)), this.log, 'iam')),
    };
  }

  destroy(): void {
    for (const c of this.all) c.destroy();
  }
}
