/**
 * Demo step for Pattern B: Keyway as the SAML identity provider of the emulated IAM Identity Center. Runs after
 * the Pattern A step, which starts the emulator (its default services include Identity Center). On every start,
 * idempotently:
 *   1. reads the Identity Center instance through the emulator's admin API (what AWS's console shows);
 *   2. creates or refreshes Keyway's SAML application from Identity Center's SP metadata, with the NameID set to
 *      the user's email, which is the userName Identity Center knows them by (Identity Center requires the
 *      NameID to equal the provisioned userName exactly);
 *   3. gives Identity Center Keyway's IdP metadata;
 *   4. seeds the demo users and groups over SCIM with a short-lived token (a demo step, see identity-center-scim.ts);
 *   5. creates permission sets and group assignments in two accounts through the SDK's sso-admin client;
 *   6. writes endpoint rule sets so AWS CLI 2.9 (which predates AWS_ENDPOINT_URL_SSO*) reaches the emulator, and
 *      prints the tour.
 * The emulator keeps its state in memory, so a restart gets a new Identity Center instance (new identity store
 * id, start URL and SP entity ID); step 2 follows it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribePermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ProvisionPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { RunningEmulator } from '../aws-emulator/index.js';
import { systemActor, type SamlApplication, type SamlApplicationInput } from '../core/index.js';
import { createSamlRuntimeFrom, withMetadata, type SamlRuntime } from '../server/index.js';
import { demoEmulator } from './aws-pattern-a.js';
import { seedIdentityCenterOverScim } from './identity-center-scim.js';
import type { DemoSeedContext, DemoStep } from './types.js';

const actor = systemActor('demo-identity-center');

export const IDC_APP_NAME = 'AWS IAM Identity Center';

export const idcPermissionSets: readonly {
  name: string;
  description: string;
  policy: string;
  sessionDuration: string;
}[] = [
  {
    name: 'ReadOnly',
    description: 'Read-only access to AWS (Keyway demo)',
    policy: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    sessionDuration: 'PT8H',
  },
  {
    name: 'Admin',
    description: 'Full administrator access (Keyway demo)',
    policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
    sessionDuration: 'PT1H',
  },
];

/** Group assignments by the demo world's account names. */
export const idcAssignments: readonly { group: string; account: string; permissionSet: string }[] = [
  { group: 'Admins', account: 'Production', permissionSet: 'Admin' },
  { group: 'Admins', account: 'Development', permissionSet: 'Admin' },
  { group: 'Operations', account: 'Production', permissionSet: 'Admin' },
  { group: 'Engineering', account: 'Production', permissionSet: 'ReadOnly' },
  { group: 'Engineering', account: 'Development', permissionSet: 'ReadOnly' },
];

/** Demo groups pushed to Identity Center (everyone who may sign in to its portal). */
export const idcGroups: readonly string[] = ['Admins', 'Operations', 'Engineering', 'Developers', 'Finance'];

/** What the emulator's admin API `DescribeIdentityCenter` answers. */
export interface IdentityCenterDescription {
  readonly InstanceArn: string;
  readonly IdentityStoreId: string;
  readonly StartUrl: string;
  readonly ScimPath: string;
  readonly SpEntityId: string;
  readonly SpMetadataPath: string;
  readonly AcsPath: string;
  readonly IdpEntityId: string | null;
}

export class IdentityCenterSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityCenterSetupError';
  }
}

/**
 * The emulator-only administration of Identity Center (what AWS does in its console), signed with SigV4 as the
 * management account, as `curl --aws-sigv4` would.
 */
export async function callIdentityCenterAdmin<T>(
  emu: RunningEmulator,
  operation: string,
  input: Record<string, unknown> = {},
): Promise<T> {
  const url = new URL(emu.url);
  const body = JSON.stringify(input);
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `KeywayEmulatorIdentityCenter.${operation}`,
  };
  const signer = new SignatureV4({
    credentials: emu.rootCredentials(emu.world.managementAccountId),
    region: emu.world.region,
    service: 'sso',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers,
    body,
  });
  const { host: _host, ...send } = signed.headers;
  const res = await fetch(`${emu.url}/`, { method: 'POST', headers: send, body });
  const text = await res.text();
  if (!res.ok) {
    const hint =
      res.status === 400 && /UnknownOperation|target/i.test(text)
        ? ' (is Identity Center registered in the emulator?)'
        : '';
    throw new IdentityCenterSetupError(`Identity Center ${operation} → ${res.status}: ${text.slice(0, 300)}${hint}`);
  }
  return JSON.parse(text) as T;
}

const sameStrings = (a: readonly string[], b: readonly string[]) => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Keyway's application for Identity Center, created from its SP metadata or brought back in line with it. */
async function ensureApp(
  rt: SamlRuntime,
  metadataXml: string,
  groupIds: readonly string[],
): Promise<{ app: SamlApplication; changed: boolean }> {
  const fields: SamlApplicationInput = {
    name: IDC_APP_NAME,
    description: 'Pattern B demo: the emulated IAM Identity Center access portal',
    nameIdFormat: 'emailAddress',
    nameIdSource: 'user.email',
    allowedGroupIds: [...groupIds],
  };
  const wanted = withMetadata({ metadataXml, ...fields });
  const existing = (await rt.apps.list({ limit: 500 })).items.find(
    (a) => a.name === IDC_APP_NAME || a.entityId === wanted.entityId,
  );
  if (!existing) return { app: await rt.apps.create(actor, wanted), changed: true };
  const upToDate =
    existing.entityId === wanted.entityId &&
    sameStrings(
      existing.acs.map((a) => a.url),
      (wanted.acs ?? []).map((a) => a.url),
    ) &&
    existing.nameIdFormat === 'emailAddress' &&
    existing.nameIdSource === 'user.email' &&
    existing.enabled &&
    groupIds.every((g) => existing.allowedGroupIds.includes(g));
  if (upToDate) return { app: existing, changed: false };
  const patch = withMetadata(
    {
      metadataXml,
      ...fields,
      enabled: true,
      allowedGroupIds: [...new Set([...existing.allowedGroupIds, ...groupIds])],
    },
    true,
  );
  return { app: await rt.apps.update(actor, existing.id, patch, existing.version), changed: true };
}

/** A SCIM token for this run only: Identity Center allows two, so the oldest makes room when both are taken. */
async function withScimToken<T>(emu: RunningEmulator, use: (token: string) => Promise<T>): Promise<T> {
  const { Tokens } = await callIdentityCenterAdmin<{ Tokens: { TokenId: string; CreatedDate: number }[] }>(
    emu,
    'ListScimAccessTokens',
  );
  if (Tokens.length >= 2) {
    const oldest = [...Tokens].sort((a, b) => a.CreatedDate - b.CreatedDate)[0];
    if (oldest) await callIdentityCenterAdmin(emu, 'DeleteScimAccessToken', { TokenId: oldest.TokenId });
  }
  const created = await callIdentityCenterAdmin<{ AccessToken: string; TokenId: string }>(emu, 'CreateScimAccessToken');
  try {
    return await use(created.AccessToken);
  } finally {
    await callIdentityCenterAdmin(emu, 'DeleteScimAccessToken', { TokenId: created.TokenId });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allPermissionSets(admin: SSOAdminClient, InstanceArn: string): Promise<Map<string, string>> {
  const arns: string[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await admin.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: 100, NextToken }));
    arns.push(...(r.PermissionSets ?? []));
    NextToken = r.NextToken;
    if (!NextToken) break;
  }
  const byName = new Map<string, string>();
  for (const PermissionSetArn of arns) {
    const d = await admin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }));
    if (d.PermissionSet?.Name) byName.set(d.PermissionSet.Name, PermissionSetArn);
  }
  return byName;
}

/** Permission sets and assignments; returns how many of each were created. */
async function ensureAccess(
  admin: SSOAdminClient,
  emu: RunningEmulator,
  InstanceArn: string,
  groupIds: ReadonlyMap<string, string>,
): Promise<{ permissionSets: number; policies: number; assignments: number }> {
  const byName = await allPermissionSets(admin, InstanceArn);
  let permissionSets = 0;
  let policies = 0;
  const changedSets: string[] = [];
  for (const ps of idcPermissionSets) {
    let arn = byName.get(ps.name);
    if (!arn) {
      const r = await admin.send(
        new CreatePermissionSetCommand({
          InstanceArn,
          Name: ps.name,
          Description: ps.description,
          SessionDuration: ps.sessionDuration,
        }),
      );
      arn = r.PermissionSet?.PermissionSetArn;
      if (!arn) throw new IdentityCenterSetupError(`CreatePermissionSet ${ps.name} returned no ARN`);
      byName.set(ps.name, arn);
      permissionSets++;
    }
    const attached = await admin.send(
      new ListManagedPoliciesInPermissionSetCommand({ InstanceArn, PermissionSetArn: arn, MaxResults: 100 }),
    );
    if (!(attached.AttachedManagedPolicies ?? []).some((p) => p.Arn === ps.policy)) {
      await admin.send(
        new AttachManagedPolicyToPermissionSetCommand({
          InstanceArn,
          PermissionSetArn: arn,
          ManagedPolicyArn: ps.policy,
        }),
      );
      policies++;
      changedSets.push(arn);
    }
  }
  // A policy attached to a set that already has assignments reaches the accounts only when provisioned again.
  for (const PermissionSetArn of changedSets)
    await admin.send(
      new ProvisionPermissionSetCommand({ InstanceArn, PermissionSetArn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }),
    );

  const accountIds = new Map(emu.world.listAccounts().map((a) => [a.name, a.id]));
  const pending: string[] = [];
  for (const a of idcAssignments) {
    const PermissionSetArn = byName.get(a.permissionSet);
    const PrincipalId = groupIds.get(a.group);
    const AccountId = accountIds.get(a.account);
    if (!PermissionSetArn || !PrincipalId || !AccountId) continue;
    const existing = await admin.send(
      new ListAccountAssignmentsCommand({ InstanceArn, AccountId, PermissionSetArn, MaxResults: 100 }),
    );
    if ((existing.AccountAssignments ?? []).some((x) => x.PrincipalType === 'GROUP' && x.PrincipalId === PrincipalId))
      continue;
    const r = await admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        PermissionSetArn,
        TargetId: AccountId,
        TargetType: 'AWS_ACCOUNT',
        PrincipalType: 'GROUP',
        PrincipalId,
      }),
    );
    const id = r.AccountAssignmentCreationStatus?.RequestId;
    if (id) pending.push(id);
  }
  // Assignments finish asynchronously (the emulator's asyncDelayMs, 200 ms by default); wait, bounded.
  for (const AccountAssignmentCreationRequestId of pending) {
    for (let i = 0; ; i++) {
      const s = await admin.send(
        new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn, AccountAssignmentCreationRequestId }),
      );
      const status = s.AccountAssignmentCreationStatus;
      if (status?.Status === 'SUCCEEDED') break;
      if (status?.Status === 'FAILED')
        throw new IdentityCenterSetupError(`account assignment failed: ${status.FailureReason ?? 'no reason given'}`);
      if (i >= 200)
        throw new IdentityCenterSetupError(
          `account assignment ${AccountAssignmentCreationRequestId} still ${status?.Status ?? 'unknown'} after 10 s`,
        );
      await sleep(50);
    }
  }
  return { permissionSets, policies, assignments: pending.length };
}

/**
 * Endpoint rule sets that send AWS CLI 2.9's sso and sso-oidc clients to the emulator (`AWS_DATA_PATH`); newer
 * CLIs read AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC instead. Written only when they differ.
 */
export function writeCliEndpointRules(folder: string, emulatorUrl: string): void {
  const ruleset = JSON.stringify(
    {
      version: '1.0',
      parameters: {
        Region: { builtIn: 'AWS::Region', required: false, documentation: 'region', type: 'String' },
        UseDualStack: {
          builtIn: 'AWS::UseDualStack',
          required: true,
          default: false,
          documentation: 'dual stack',
          type: 'Boolean',
        },
        UseFIPS: { builtIn: 'AWS::UseFIPS', required: true, default: false, documentation: 'fips', type: 'Boolean' },
        Endpoint: { builtIn: 'SDK::Endpoint', required: false, documentation: 'endpoint', type: 'String' },
      },
      rules: [{ conditions: [], endpoint: { url: emulatorUrl, properties: {}, headers: {} }, type: 'endpoint' }],
    },
    null,
    2,
  );
  for (const svc of ['sso-oidc', 'sso']) {
    const dir = join(folder, svc, '2019-06-10');
    const file = join(dir, 'endpoint-rule-set-1.json');
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === ruleset) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, ruleset);
  }
}

export interface IdentityCenterDemo {
  readonly emulatorUrl: string;
  readonly description: IdentityCenterDescription;
  readonly portalUrl: string;
  readonly app: SamlApplication;
  readonly cliDataPath: string;
}

let last: IdentityCenterDemo | undefined;

/** What the last run of this step set up (for tests that follow the tour). */
export const identityCenterDemo = (): IdentityCenterDemo | undefined => last;

/** Sets Pattern B up against `emu` (the step passes the emulator the Pattern A step started). */
export async function setUpIdentityCenter(ctx: DemoSeedContext, emu: RunningEmulator): Promise<IdentityCenterDemo> {
  const idc = await callIdentityCenterAdmin<IdentityCenterDescription>(emu, 'DescribeIdentityCenter');
  const spMetadata = await fetch(`${emu.url}${idc.SpMetadataPath}`);
  if (!spMetadata.ok) throw new IdentityCenterSetupError(`Identity Center SP metadata → ${spMetadata.status}`);
  const rt = createSamlRuntimeFrom({ config: ctx.config, store: ctx.store });
  const keywayGroups = (await Promise.all(idcGroups.map((n) => ctx.store.directory.findGroupByDisplayName(n)))).filter(
    (g) => g !== null,
  );
  const { app, changed } = await ensureApp(
    rt,
    await spMetadata.text(),
    keywayGroups.map((g) => g.id),
  );

  const idp = await callIdentityCenterAdmin<{ IdpEntityId: string }>(emu, 'PutSamlIdentityProvider', {
    Metadata: await rt.metadataXml(new Date()),
  });

  const scim = await withScimToken(emu, (token) =>
    seedIdentityCenterOverScim({
      store: ctx.store,
      endpoint: `${emu.url}${idc.ScimPath}`,
      token,
      groupNames: idcGroups,
      log: ctx.log,
    }),
  );

  const admin = new SSOAdminClient({
    endpoint: emu.url,
    region: emu.world.region,
    credentials: emu.rootCredentials(emu.world.managementAccountId),
    maxAttempts: 3,
  });
  let access: Awaited<ReturnType<typeof ensureAccess>>;
  try {
    access = await ensureAccess(admin, emu, idc.InstanceArn, scim.groupIds);
  } finally {
    admin.destroy();
  }

  const cliDataPath = join(ctx.config.dataDir, 'aws-cli-data');
  writeCliEndpointRules(cliDataPath, emu.url);
  ctx.log(
    `Identity Center: app ${changed ? 'created/updated' : 'unchanged'}, IdP ${idp.IdpEntityId}; SCIM: ${scim.usersCreated} user(s) and ${scim.groupsCreated} group(s) created, ` +
      `${scim.membersAdded} member(s) added, ${scim.membersRemoved} removed; ${access.permissionSets} permission set(s), ${access.assignments} assignment(s) created`,
  );
  return { emulatorUrl: emu.url, description: idc, portalUrl: `${emu.url}/start`, app, cliDataPath };
}

function tourLines(d: IdentityCenterDemo): string[] {
  const e = d.emulatorUrl;
  return [
    '',
    `AWS IAM Identity Center (Pattern B, emulated at ${e}; Keyway is its identity provider):`,
    `  Start URL ${d.description.StartUrl} (identity store ${d.description.IdentityStoreId}); users and groups seeded over SCIM (demo step)`,
    ...idcAssignments.map((a) => `  ${a.group.padEnd(12)} → permission set ${a.permissionSet} in ${a.account}`),
    `  Browser: open ${d.portalUrl} → sign in at Keyway as carol → pick Production / Admin → console as AWSReservedSSO_Admin_…`,
    '  Command line (AWS CLI v2 at /usr/bin/aws; 2.9 needs AWS_DATA_PATH, ≥2.13 reads the two AWS_ENDPOINT_URL_* variables):',
    `    export AWS_DATA_PATH=${d.cliDataPath} AWS_ENDPOINT_URL_SSO=${e} AWS_ENDPOINT_URL_SSO_OIDC=${e}`,
    `    /usr/bin/aws configure sso --no-browser     # start URL ${d.description.StartUrl}, region us-east-1; profile name e.g. carol-prod`,
    '    /usr/bin/aws sso login --profile carol-prod --no-browser   # open the printed /device URL, sign in at Keyway, Allow',
    `    /usr/bin/aws sts get-caller-identity --profile carol-prod --endpoint-url ${e}`,
  ];
}

export const identityCenterPatternB: DemoStep = {
  name: 'AWS Pattern B (IAM Identity Center with Keyway as its IdP)',
  async seed(ctx) {
    const emu = demoEmulator();
    if (!emu) {
      ctx.log('Identity Center: no AWS emulator was started; Pattern B skipped');
      return;
    }
    last = await setUpIdentityCenter(ctx, emu);
    ctx.banner(...tourLines(last));
  },
};
