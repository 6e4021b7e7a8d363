/**
 * keyway aws login|logout|credentials — the user's side: sign in to Keyway (password or device approval), get the
 * AWS IAM application's signed assertion over Keyway's JSON API, and exchange it with STS AssumeRoleWithSAML
 * through the SDK. `credentials` prints the AWS CLI credential_process JSON and never prompts: on any problem it
 * prints one line and exits 1.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Env } from '../../server/index.js';
import { CliUsageError, runsWithoutStore, type CliContext } from '../command.js';
import { CredentialCache, type CachedCredentials, type CachedSignIn } from './aws-cache.js';
import { callKeyway, keywayUrl, KeywayHttpError } from './aws-http.js';

/** Credentials are refreshed this long before they expire, so a command never starts with nearly-dead keys. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_DEVICE_WAIT_MS = 10 * 60_000;

interface SignInAnswer {
  readonly token: string;
  readonly expiresAt: string;
  readonly userName: string;
  /** Password sign-ins only: this installation's new device token. */
  readonly deviceToken?: string;
}

interface RoleAnswer {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly roleName: string;
  readonly roleArn: string;
  readonly providerArn: string;
}

interface AssertionAnswer {
  readonly samlResponse: string;
  readonly role: RoleAnswer | null;
}

export const stsEndpoint = (env: Env, flag?: string): string | undefined =>
  flag ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;

const deviceSlot = (base: string, userName: string) => `${base} ${userName.normalize('NFC').toLowerCase()}`;

const saveSignIn = (cache: CredentialCache, base: string, s: SignInAnswer): void =>
  cache.update((doc) => ({
    ...doc,
    signIns: {
      ...doc.signIns,
      [base]: { token: s.token, userName: s.userName, expiresAt: s.expiresAt, credentials: {} },
    },
    ...(s.deviceToken ? { devices: { ...doc.devices, [deviceSlot(base, s.userName)]: s.deviceToken } } : {}),
  }));

/** Password, then the authenticator code when the account has one: from --otp, or asked on a terminal only. */
async function passwordSignIn(
  ctx: CliContext,
  base: string,
  userName: string,
  passwordFile: string | undefined,
  otp: string | undefined,
  interactive: boolean,
): Promise<SignInAnswer> {
  const password = await ctx.readSecret({
    prompt: `Keyway password for ${userName}: `,
    ...(passwordFile ? { file: passwordFile } : {}),
  });
  const deviceToken = new CredentialCache(ctx.io.env).read().devices?.[deviceSlot(base, userName)];
  const device = deviceToken ? { deviceToken } : {};
  try {
    return await callKeyway<SignInAnswer>(base, '/aws/cli/sign-in', {
      method: 'POST',
      body: { userName, password, ...(otp ? { otp } : {}), ...device },
    });
  } catch (e) {
    if (!(e instanceof KeywayHttpError) || e.code !== 'otp_required' || otp) throw e;
    if (!interactive || !ctx.io.stdin.isTTY)
      throw new Error(
        `${userName} signs in with an authenticator code: run keyway aws login --user ${userName} --otp <code>, or --device`,
      );
    const code = await ctx.readSecret({ prompt: 'Authenticator code: ' });
    return callKeyway<SignInAnswer>(base, '/aws/cli/sign-in', {
      method: 'POST',
      body: { userName, password, otp: code, ...device },
    });
  }
}

async function deviceSignIn(ctx: CliContext, base: string): Promise<SignInAnswer> {
  const start = await callKeyway<{
    deviceCode: string;
    userCode: string;
    verificationUri: string;
    verificationUriComplete: string;
    expiresIn: number;
    interval: number;
  }>(base, '/aws/cli/device', { method: 'POST', body: {} });
  ctx.err(`To sign in, open ${start.verificationUriComplete}`);
  ctx.err(`and check that it shows the code ${start.userCode}. Waiting for approval…`);
  const deadline = Date.now() + Math.min(start.expiresIn * 1000, MAX_DEVICE_WAIT_MS);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.max(1, start.interval) * 1000));
    try {
      return await callKeyway<SignInAnswer>(base, '/aws/cli/device/token', {
        method: 'POST',
        body: { deviceCode: start.deviceCode },
      });
    } catch (e) {
      if (!(e instanceof KeywayHttpError) || e.code !== 'authorization_pending') throw e;
    }
  }
  throw new Error('the approval was not given in time; run keyway aws login again');
}

/** A role session length: AWS accepts 900–43200 seconds (AssumeRoleWithSAML DurationSeconds). */
const durationSeconds = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 900 || Number(value) > 43200)
    throw new InvalidArgumentError('must be a whole number of seconds from 900 to 43200');
  return Number(value);
};

const credentialKey = (account: string, role: string): string => `${account.toLowerCase()}/${role.toLowerCase()}`;

export function registerAwsCredentials(aws: Command, ctx: CliContext): void {
  runsWithoutStore(aws.command('login'))
    .description('sign in to Keyway for AWS command-line access (password, or --device to approve in a browser)')
    .option('--user <userName>', 'Keyway user name (password sign-in)')
    .option('--password-file <path>', "read the password from a file ('-' for stdin)")
    .option('--otp <code>', 'the 6-digit authenticator code, when your account has one (asked on a terminal otherwise)')
    .option('--device', 'approve the sign-in in a browser where you are signed in to Keyway')
    .option('--keyway-url <url>', 'Keyway base URL (default KEYWAY_URL)')
    .action(async (o: { user?: string; passwordFile?: string; otp?: string; device?: boolean; keywayUrl?: string }) => {
      const base = keywayUrl(ctx.io.env, o.keywayUrl);
      let answer: SignInAnswer;
      if (o.device) answer = await deviceSignIn(ctx, base);
      else {
        const user = o.user ?? ctx.io.env.KEYWAY_USER;
        if (!user) throw new CliUsageError('give --user <userName> (or KEYWAY_USER), or use --device');
        answer = await passwordSignIn(ctx, base, user, o.passwordFile, o.otp, true);
      }
      saveSignIn(new CredentialCache(ctx.io.env), base, answer);
      ctx.err(`signed in to ${base} as ${answer.userName} until ${answer.expiresAt}`);
    });

  runsWithoutStore(aws.command('logout'))
    .description('sign out of Keyway and forget cached AWS credentials')
    .option('--keyway-url <url>', 'Keyway base URL (default KEYWAY_URL)')
    .action(async (o: { keywayUrl?: string }) => {
      const base = keywayUrl(ctx.io.env, o.keywayUrl);
      const cache = new CredentialCache(ctx.io.env);
      const s = cache.read().signIns[base];
      if (s) await callKeyway(base, '/aws/cli/sign-out', { method: 'POST', token: s.token }).catch(() => undefined);
      cache.update((doc) => {
        const { [base]: _gone, ...rest } = doc.signIns;
        return { ...doc, signIns: rest };
      });
      ctx.err(`signed out of ${base}`);
    });

  runsWithoutStore(aws.command('credentials'))
    .description('print temporary AWS credentials for one role as credential_process JSON (for ~/.aws/config)')
    .requiredOption('--account <account>', 'account id or name')
    .requiredOption('--role <name>', 'IAM role name')
    .option('--user <userName>', 'sign in with a password when there is no Keyway sign-in (needs --password-file)')
    .option('--password-file <path>', 'password file for --user (never prompts)')
    .option('--sts-endpoint-url <url>', 'STS endpoint (default AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL)')
    .option('--region <region>', 'STS region', undefined)
    .option('--duration <seconds>', 'session length in seconds (900-43200, at most the role maximum)', durationSeconds)
    .option('--no-cache', 'always fetch new credentials')
    .option('--keyway-url <url>', 'Keyway base URL (default KEYWAY_URL)')
    .action(
      async (o: {
        account: string;
        role: string;
        user?: string;
        passwordFile?: string;
        stsEndpointUrl?: string;
        region?: string;
        duration?: number;
        cache: boolean;
        keywayUrl?: string;
      }) => {
        // credential_process output goes to the AWS CLI, which shows stderr on failure: keep it to our one line.
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        const env = ctx.io.env;
        const base = keywayUrl(env, o.keywayUrl);
        const cache = new CredentialCache(env);
        const key = credentialKey(o.account, o.role);
        const now = Date.now();
        let signIn: CachedSignIn | undefined = cache.read().signIns[base];
        const cached = signIn?.credentials[key];
        if (o.cache && cached && Date.parse(cached.expiration) - now > REFRESH_MARGIN_MS) return print(ctx, cached);

        if (!signIn || Date.parse(signIn.expiresAt) <= now) {
          if (!o.user || !o.passwordFile) throw new Error(`not signed in to Keyway at ${base}; run: keyway aws login`);
          const answer = await passwordSignIn(ctx, base, o.user, o.passwordFile, undefined, false);
          saveSignIn(cache, base, answer);
          signIn = { ...answer, credentials: {} };
        }
        let assertion: AssertionAnswer;
        try {
          assertion = await callKeyway<AssertionAnswer>(base, '/aws/cli/assertion', {
            method: 'POST',
            token: signIn.token,
            body: { account: o.account, role: o.role },
          });
        } catch (e) {
          // Refused by Keyway (expired sign-in, suspended user): nothing cached may outlive that answer.
          if (e instanceof KeywayHttpError && (e.status === 401 || e.code === 'user_suspended')) {
            cache.update((doc) => {
              const { [base]: _gone, ...rest } = doc.signIns;
              return { ...doc, signIns: rest };
            });
          } else if (e instanceof KeywayHttpError && e.status === 403) {
            cache.update((doc) => {
              const s = doc.signIns[base];
              if (!s) return doc;
              const { [key]: _gone, ...credentials } = s.credentials;
              return { ...doc, signIns: { ...doc.signIns, [base]: { ...s, credentials } } };
            });
          }
          throw e;
        }
        const role = assertion.role;
        if (!role) throw new Error(`Keyway did not confirm role ${o.role} in ${o.account}`);
        const endpoint = stsEndpoint(env, o.stsEndpointUrl);
        const region = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
        // Loaded only on a cache miss: the AWS SDK is most of what a cold start would otherwise load.
        const { assumeRoleWithSaml } = await import('../../aws/index.js');
        const creds = await assumeRoleWithSaml(
          { region, maxAttempts: 2, ...(endpoint ? { endpoint } : {}) },
          {
            roleArn: role.roleArn,
            principalArn: role.providerArn,
            samlResponse: assertion.samlResponse,
            ...(o.duration ? { durationSeconds: o.duration } : {}),
          },
        ).catch((e: unknown) => {
          throw new Error(
            `AWS STS refused AssumeRoleWithSAML for ${role.roleArn}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
          );
        });
        const entry: CachedCredentials = {
          accessKeyId: creds.accessKeyId,
          secretAccessKey: creds.secretAccessKey,
          sessionToken: creds.sessionToken,
          expiration: creds.expiration.toISOString(),
          assumedRoleArn: creds.assumedRoleArn,
        };
        if (o.cache) {
          cache.update((doc) => {
            const s = doc.signIns[base];
            return s
              ? {
                  ...doc,
                  signIns: { ...doc.signIns, [base]: { ...s, credentials: { ...s.credentials, [key]: entry } } },
                }
              : doc;
          });
        }
        print(ctx, entry);
      },
    );
}

/** The AWS CLI's credential_process format (Version 1). */
function print(ctx: CliContext, c: CachedCredentials): void {
  ctx.out(
    JSON.stringify({
      Version: 1,
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      SessionToken: c.sessionToken,
      Expiration: c.expiration,
    }),
  );
}

export type { RoleAnswer };
