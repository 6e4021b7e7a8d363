/**
 * The steps every `keyway access` command shares: find and read the access file, read Keyway's side from the
 * store, connect to AWS the way the AWS CLI does (--profile, --region, --endpoint-url, AWS_* variables) and
 * read live state.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type {
  AccessFinding,
  AccessModel,
  DirectorySnapshot,
  FederationContext,
  LiveKeyway,
  LiveState,
} from '../../core/index.js';
import type { AwsConnections } from '../../aws/index.js';
import { CliUsageError, type CliContext } from '../command.js';

export interface AwsFlags {
  readonly file?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly memberRole?: string;
  readonly maxRate?: number;
}

/** Where the access file is looked for when --file is not given: ./access.yaml, else the folder ./access. */
export const DEFAULT_ACCESS_PATHS = ['access.yaml', 'access.yml', 'access'];

function findFiles(ctx: CliContext, given: string | undefined): string[] {
  const candidates = given ? [given] : DEFAULT_ACCESS_PATHS;
  for (const c of candidates) {
    const full = resolve(ctx.io.cwd, c);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(full);
    } catch {
      if (given) throw new CliUsageError(`--file ${given}: no such file or folder`);
      continue;
    }
    if (st.isFile()) return [full];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
        );
    return walk(full);
  }
  throw new CliUsageError(
    `no access file: give --file PATH (a YAML file or a folder), or create ${DEFAULT_ACCESS_PATHS.join(' or ')}`,
  );
}

export const formatFinding = (f: AccessFinding): { at: string; message: string } => ({
  at: f.at ? `${f.at.file}:${f.at.line}:${f.at.column}` : '(access)',
  message: `${f.severity} [${f.rule}] ${f.message}`,
});

/** Reads and checks the access file; errors end the command with one line per finding. */
export async function loadAccessModel(
  ctx: CliContext,
  file: string | undefined,
): Promise<{ model: AccessModel; findings: AccessFinding[] }> {
  const { DomainError, parseAccessFiles } = await import('../../core/index.js');
  const files = findFiles(ctx, file);
  const show = (p: string) => relative(ctx.io.cwd, p) || p;
  const byShown = new Map(files.map((f) => [show(f), f]));
  const result = parseAccessFiles(
    files.map((f) => ({ path: show(f), text: readFileSync(f, 'utf8') })),
    (from, rel) => {
      try {
        return readFileSync(resolve(dirname(byShown.get(from) ?? from), rel), 'utf8');
      } catch {
        return null;
      }
    },
  );
  if (!result.model) {
    const errors = result.findings.filter((f) => f.severity === 'error');
    throw new DomainError(
      'invalid_input',
      `the access file has ${errors.length} error${errors.length === 1 ? '' : 's'}`,
      result.findings.map(formatFinding),
    );
  }
  return { model: result.model, findings: [...result.findings] };
}

export async function connectAws(ctx: CliContext, flags: AwsFlags, model: AccessModel): Promise<AwsConnections> {
  const env = ctx.io.env;
  const endpoint = flags.endpointUrl ?? env.AWS_ENDPOINT_URL;
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const profile = flags.profile ?? env.AWS_PROFILE;
  const target = {
    ...((flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION)
      ? { region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION }
      : {}),
    ...(endpoint ? { endpoint } : {}),
    // Explicit keys win over a profile, as in the AWS CLI; the SDK's chain is used when neither is given.
    ...(keyId && secret && !flags.profile
      ? {
          credentials: {
            accessKeyId: keyId,
            secretAccessKey: secret,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : profile
        ? { profile }
        : {}),
  };
  const { AwsConnections } = await import('../../aws/index.js');
  const aws = new AwsConnections(target, flags.memberRole ?? model.settings.memberRole);
  ctx.onCleanup(() => aws.destroy());
  return aws;
}

export interface KeywaySide {
  readonly directory: DirectorySnapshot;
  readonly keyway: LiveKeyway;
  readonly federation: FederationContext | null;
}

/** Keyway's directory, its AWS account names and bindings, and (for iam-federation) its IdP metadata. */
export async function readKeywaySide(ctx: CliContext, model: AccessModel | null, app?: string): Promise<KeywaySide> {
  const { readDirectorySnapshot, DomainError } = await import('../../core/index.js');
  const store = await ctx.store();
  const directory = await readDirectorySnapshot(store.directory);
  const svc = (await import('../../store/index.js')).createAwsAccessService(store.db);
  const [accounts, bindings] = await Promise.all([svc.listAccounts(), svc.listBindings()]);
  let federation: FederationContext | null = null;
  if (model?.grants.some((g) => g.delivery === 'iam-federation')) {
    const { awsApp } = await import('./aws-admin.js');
    const found = await awsApp(ctx, app);
    if (found) {
      const { awsIamConfigOf } = await import('../../core/index.js');
      const { metadataFingerprint } = await import('../../aws/index.js');
      const rt = await (await import('../../server/index.js')).createSamlRuntimeFrom({ config: ctx.config(), store });
      const metadataXml = await rt.metadataXml(new Date());
      const fingerprint = metadataFingerprint(metadataXml);
      if (!fingerprint)
        throw new DomainError('invalid_input', "Keyway's IdP metadata has no entity ID or signing certificate");
      federation = { config: awsIamConfigOf(found), metadataXml, fingerprint };
    }
  }
  return { directory, keyway: { accounts, bindings, groups: directory.groups }, federation };
}

export async function readLive(
  ctx: CliContext,
  aws: AwsConnections,
  model: AccessModel,
  side: KeywaySide,
  flags: AwsFlags,
  options: { allAssignments?: boolean; quiet?: boolean } = {},
): Promise<LiveState> {
  const { readLiveState } = await import('../../aws/index.js');
  return readLiveState({
    aws,
    model,
    keyway: side.keyway,
    federation: side.federation,
    now: new Date(),
    ...(flags.maxRate ? { idcCallsPerSecond: flags.maxRate } : {}),
    allAssignments: options.allAssignments ?? false,
    progress: options.quiet ? () => {} : (line) => ctx.err(line),
  });
}
