/**
 * Executes a plan's changes — exactly those — in a safe order: Keyway's account names and SAML providers
 * first, then permission sets and roles, then assignments (removals before additions), then bindings, and
 * deletions of permission sets and roles last (unassign before delete). Identity Center calls stay within its
 * limits (20 calls per second collectively, at most 10 outstanding assignment operations — IAM Identity Center
 * quotas); asynchronous operations are waited for. The first failure stops the run, and the error says what
 * was done and what was not.
 */
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateSAMLProviderCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  TagResourceCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import {
  managedPolicyArn,
  MANAGED_TAG,
  INLINE_ROLE_POLICY_NAME,
  type AccessChange,
  type AccessPlan,
  type DesiredPermissionSet,
  type IamChange,
} from '../../core/index.js';
import type { AwsConnections } from './connections.js';
import { inPool, RateLimiter } from './pacing.js';

/** Keyway's own side of iam-federation: its names for accounts and its group → role bindings. */
export interface KeywayAccessWriter {
  addAccount(id: string, name: string): Promise<void>;
  addBinding(groupId: string, accountId: string, roleName: string, rolePath: string): Promise<void>;
  removeBinding(id: string): Promise<void>;
}

export type ApplyEvent =
  | { readonly type: 'start'; readonly change: AccessChange }
  | { readonly type: 'done'; readonly change: AccessChange; readonly seconds: number }
  | { readonly type: 'waiting'; readonly what: string; readonly seconds: number };

export class ApplyFailure extends Error {
  override readonly name = 'ApplyFailure';
  constructor(
    readonly failed: AccessChange,
    override readonly cause: unknown,
    readonly done: readonly AccessChange[],
    readonly notDone: readonly AccessChange[],
  ) {
    super(`${describeChange(failed)} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export function describeChange(c: AccessChange): string {
  switch (c.kind) {
    case 'permission-set':
      return `${c.action} permission set ${c.name}`;
    case 'assignment':
      return `${c.action} assignment ${c.principal} → ${c.permissionSet} in ${c.accountName}`;
    case 'role':
      return `${c.action} role ${c.name} in ${c.accountName}`;
    case 'iam':
      return `${c.change.action} ${c.change.resource} ${c.change.name} in ${c.accountName}`;
    case 'binding':
      return `${c.action} binding ${c.group} → ${c.roleName} in ${c.accountName}`;
    case 'keyway-account':
      return `register account ${c.accountName} (${c.accountId}) in Keyway`;
  }
}

export interface ApplyOptions {
  readonly aws: AwsConnections;
  readonly keyway: KeywayAccessWriter;
  readonly installation: string;
  readonly idcCallsPerSecond?: number;
  readonly maxOutstandingAssignments?: number;
  readonly onEvent?: (e: ApplyEvent) => void;
  /** How long an asynchronous operation may take before apply gives up on it. */
  readonly asyncTimeoutMs?: number;
}

const phase = (c: AccessChange): number => {
  if (c.kind === 'keyway-account' || c.kind === 'iam') return 0;
  if ((c.kind === 'permission-set' || c.kind === 'role') && c.action !== 'delete') return 1;
  if (c.kind === 'assignment') return c.action === 'delete' ? 2 : 3;
  if (c.kind === 'binding') return c.action === 'delete' ? 4 : 5;
  return 6;
};

export const orderChanges = (changes: readonly AccessChange[]): AccessChange[][] => {
  const phases: AccessChange[][] = [[], [], [], [], [], [], []];
  for (const c of changes) phases[phase(c)]?.push(c);
  return phases;
};

export async function applyIamChange(iam: IAMClient, c: IamChange, installation: string): Promise<void> {
  const tags = [{ Key: MANAGED_TAG, Value: installation }];
  switch (c.resource) {
    case 'saml-provider': {
      if (c.action === 'create')
        await iam.send(
          new CreateSAMLProviderCommand({ Name: c.name, SAMLMetadataDocument: c.metadataXml, Tags: tags }),
        );
      else
        await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: c.arn, SAMLMetadataDocument: c.metadataXml }));
      return;
    }
    case 'role':
      await iam.send(
        new CreateRoleCommand({
          RoleName: c.name,
          Path: c.path,
          AssumeRolePolicyDocument: JSON.stringify(c.trustPolicy),
          Description: c.description,
          MaxSessionDuration: c.maxSessionDuration,
          Tags: tags,
        }),
      );
      return;
    case 'trust-policy':
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: c.name, PolicyDocument: JSON.stringify(c.after) }));
      return;
  }
}

export async function applyAccessPlan(
  plan: Pick<AccessPlan, 'changes' | 'live'>,
  o: ApplyOptions,
): Promise<AccessChange[]> {
  const limiter = new RateLimiter(o.idcCallsPerSecond ?? 20);
  const sso = o.aws.ssoAdmin;
  const instanceArn = plan.live.idc?.instanceArn ?? '';
  const psArns = new Map<string, string>((plan.live.idc?.permissionSets ?? []).map((p) => [p.name, p.arn]));
  const timeout = o.asyncTimeoutMs ?? 300_000;
  const idc = async <T>(fn: () => Promise<T>): Promise<T> => {
    await limiter.take();
    return fn();
  };
  const wait = async (what: string, poll: () => Promise<{ status?: string; reason?: string }>): Promise<void> => {
    const started = Date.now();
    let delay = 50;
    let announced = 0;
    for (;;) {
      const s = await poll();
      if (s.status === 'SUCCEEDED') return;
      if (s.status === 'FAILED') throw new Error(`${what}: ${s.reason ?? 'FAILED'}`);
      const seconds = Math.floor((Date.now() - started) / 1000);
      if (seconds >= announced + 10) {
        announced = seconds;
        o.onEvent?.({ type: 'waiting', what, seconds });
      }
      if (Date.now() - started > timeout)
        throw new Error(`${what}: still IN_PROGRESS after ${Math.round(timeout / 1000)}s`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  };
  const psArn = (name: string, given: string | null): string => {
    const arn = given ?? psArns.get(name);
    if (!arn) throw new Error(`permission set ${name} has no ARN (was it created?)`);
    return arn;
  };

  const attachAll = async (
    PermissionSetArn: string,
    d: DesiredPermissionSet,
    edits?: { managedAttach: readonly string[]; customerAttach: readonly { name: string; path: string }[] },
  ) => {
    const InstanceArn = instanceArn;
    for (const ManagedPolicyArn of edits?.managedAttach ?? d.managedArns)
      await idc(() =>
        sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn })),
      );
    for (const c of edits?.customerAttach ?? d.customerManaged)
      await idc(() =>
        sso.send(
          new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
            InstanceArn,
            PermissionSetArn,
            CustomerManagedPolicyReference: { Name: c.name, Path: c.path },
          }),
        ),
      );
  };
  const putBoundary = (PermissionSetArn: string, d: DesiredPermissionSet) =>
    d.boundary === null
      ? Promise.resolve()
      : idc(() =>
          sso.send(
            new PutPermissionsBoundaryToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn,
              PermissionsBoundary:
                'managed' in d.boundary!
                  ? { ManagedPolicyArn: managedPolicyArn(d.boundary.managed) }
                  : {
                      CustomerManagedPolicyReference: {
                        Name: d.boundary!.customerManaged.name,
                        Path: d.boundary!.customerManaged.path,
                      },
                    },
            }),
          ),
        );

  const one = async (c: AccessChange): Promise<void> => {
    const InstanceArn = instanceArn;
    switch (c.kind) {
      case 'keyway-account':
        return o.keyway.addAccount(c.accountId, c.accountName);
      case 'iam':
        return applyIamChange((await o.aws.account(c.change.accountId)).iam, c.change, o.installation);
      case 'binding':
        return c.action === 'create'
          ? o.keyway.addBinding(c.groupId, c.accountId, c.roleName, c.rolePath)
          : o.keyway.removeBinding(c.bindingId);
      case 'permission-set': {
        if (c.action === 'create') {
          const d = c.desired;
          const r = await idc(() =>
            sso.send(
              new CreatePermissionSetCommand({
                InstanceArn,
                Name: d.name,
                Description: d.description,
                SessionDuration: d.sessionDuration,
                Tags: [{ Key: MANAGED_TAG, Value: o.installation }],
              }),
            ),
          );
          const arn = r.PermissionSet?.PermissionSetArn;
          if (!arn) throw new Error('CreatePermissionSet returned no ARN');
          psArns.set(d.name, arn);
          await attachAll(arn, d);
          if (d.inline)
            await idc(() =>
              sso.send(
                new PutInlinePolicyToPermissionSetCommand({
                  InstanceArn,
                  PermissionSetArn: arn,
                  InlinePolicy: JSON.stringify(d.inline),
                }),
              ),
            );
          await putBoundary(arn, d);
          return;
        }
        if (c.action === 'delete') {
          await idc(() => sso.send(new DeletePermissionSetCommand({ InstanceArn, PermissionSetArn: c.arn })));
          return;
        }
        const PermissionSetArn = c.arn;
        const d = c.desired;
        const e = c.edits;
        if (e.tag)
          await idc(() =>
            sso.send(
              new TagResourceCommand({
                InstanceArn,
                ResourceArn: PermissionSetArn,
                Tags: [{ Key: MANAGED_TAG, Value: o.installation }],
              }),
            ),
          );
        if (e.attributes)
          await idc(() =>
            sso.send(
              new UpdatePermissionSetCommand({
                InstanceArn,
                PermissionSetArn,
                Description: d.description,
                SessionDuration: d.sessionDuration,
              }),
            ),
          );
        for (const ManagedPolicyArn of e.managedDetach)
          await idc(() =>
            sso.send(
              new DetachManagedPolicyFromPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn }),
            ),
          );
        for (const x of e.customerDetach)
          await idc(() =>
            sso.send(
              new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({
                InstanceArn,
                PermissionSetArn,
                CustomerManagedPolicyReference: { Name: x.name, Path: x.path },
              }),
            ),
          );
        await attachAll(PermissionSetArn, d, e);
        if (e.inline === 'put')
          await idc(() =>
            sso.send(
              new PutInlinePolicyToPermissionSetCommand({
                InstanceArn,
                PermissionSetArn,
                InlinePolicy: JSON.stringify(d.inline),
              }),
            ),
          );
        if (e.inline === 'delete')
          await idc(() => sso.send(new DeleteInlinePolicyFromPermissionSetCommand({ InstanceArn, PermissionSetArn })));
        if (e.boundary === 'put') await putBoundary(PermissionSetArn, d);
        if (e.boundary === 'delete')
          await idc(() =>
            sso.send(new DeletePermissionsBoundaryFromPermissionSetCommand({ InstanceArn, PermissionSetArn })),
          );
        // A change to an assigned permission set reaches accounts only once it is provisioned again
        // (sso-admin API reference, PutInlinePolicyToPermissionSet).
        if (
          c.provisionedTo.length > 0 &&
          (e.attributes ||
            e.inline ||
            e.boundary ||
            e.managedAttach.length ||
            e.managedDetach.length ||
            e.customerAttach.length ||
            e.customerDetach.length)
        ) {
          const r = await idc(() =>
            sso.send(
              new ProvisionPermissionSetCommand({
                InstanceArn,
                PermissionSetArn,
                TargetType: 'ALL_PROVISIONED_ACCOUNTS',
              }),
            ),
          );
          const RequestId = r.PermissionSetProvisioningStatus?.RequestId;
          await wait(`provisioning ${c.name}`, async () => {
            const s = await idc(() =>
              sso.send(
                new DescribePermissionSetProvisioningStatusCommand({
                  InstanceArn,
                  ProvisionPermissionSetRequestId: RequestId,
                }),
              ),
            );
            return {
              status: s.PermissionSetProvisioningStatus?.Status,
              reason: s.PermissionSetProvisioningStatus?.FailureReason,
            };
          });
        }
        return;
      }
      case 'assignment': {
        const input = {
          InstanceArn,
          TargetId: c.accountId,
          TargetType: 'AWS_ACCOUNT' as const,
          PermissionSetArn: psArn(c.permissionSet, c.permissionSetArn),
          PrincipalType: c.principalType,
          PrincipalId: c.principalId,
        };
        if (c.action === 'create') {
          const r = await idc(() => sso.send(new CreateAccountAssignmentCommand(input)));
          const id = r.AccountAssignmentCreationStatus?.RequestId;
          if (r.AccountAssignmentCreationStatus?.Status === 'SUCCEEDED') return;
          await wait(describeChange(c), async () => {
            const s = await idc(() =>
              sso.send(
                new DescribeAccountAssignmentCreationStatusCommand({
                  InstanceArn,
                  AccountAssignmentCreationRequestId: id,
                }),
              ),
            );
            return {
              status: s.AccountAssignmentCreationStatus?.Status,
              reason: s.AccountAssignmentCreationStatus?.FailureReason,
            };
          });
        } else {
          const r = await idc(() => sso.send(new DeleteAccountAssignmentCommand(input)));
          const id = r.AccountAssignmentDeletionStatus?.RequestId;
          if (r.AccountAssignmentDeletionStatus?.Status === 'SUCCEEDED') return;
          await wait(describeChange(c), async () => {
            const s = await idc(() =>
              sso.send(
                new DescribeAccountAssignmentDeletionStatusCommand({
                  InstanceArn,
                  AccountAssignmentDeletionRequestId: id,
                }),
              ),
            );
            return {
              status: s.AccountAssignmentDeletionStatus?.Status,
              reason: s.AccountAssignmentDeletionStatus?.FailureReason,
            };
          });
        }
        return;
      }
      case 'role': {
        const { iam } = await o.aws.account(c.accountId);
        const RoleName = c.name;
        if (c.action === 'delete') {
          for (const PolicyArn of c.managed) await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
          for (const PolicyName of c.inline) await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
          await iam.send(new DeleteRoleCommand({ RoleName }));
          return;
        }
        const d = c.desired;
        if (c.action === 'create') {
          await iam.send(
            new CreateRoleCommand({
              RoleName,
              Path: d.path,
              AssumeRolePolicyDocument: JSON.stringify(d.trustPolicy),
              Description: d.description,
              MaxSessionDuration: d.maxSessionDuration,
              ...(d.boundaryArn ? { PermissionsBoundary: d.boundaryArn } : {}),
              Tags: [{ Key: MANAGED_TAG, Value: o.installation }],
            }),
          );
          if (d.inline)
            await iam.send(
              new PutRolePolicyCommand({
                RoleName,
                PolicyName: INLINE_ROLE_POLICY_NAME,
                PolicyDocument: JSON.stringify(d.inline),
              }),
            );
          for (const PolicyArn of d.managedArns) await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
          return;
        }
        const e = c.edits;
        if (e.tag)
          await iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: MANAGED_TAG, Value: o.installation }] }));
        if (e.attributes)
          await iam.send(
            new UpdateRoleCommand({ RoleName, Description: d.description, MaxSessionDuration: d.maxSessionDuration }),
          );
        if (e.trust)
          await iam.send(
            new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(d.trustPolicy) }),
          );
        for (const PolicyArn of e.managedDetach) await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
        for (const PolicyArn of e.managedAttach) await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
        for (const PolicyName of e.inlineDelete) await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
        if (e.inlinePut && d.inline)
          await iam.send(
            new PutRolePolicyCommand({
              RoleName,
              PolicyName: INLINE_ROLE_POLICY_NAME,
              PolicyDocument: JSON.stringify(d.inline),
            }),
          );
        if (e.boundary === 'put' && d.boundaryArn)
          await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: d.boundaryArn }));
        if (e.boundary === 'delete') await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName }));
        return;
      }
    }
  };

  const done: AccessChange[] = [];
  const phases = orderChanges(plan.changes);
  for (const [i, changes] of phases.entries()) {
    // Assignment operations run up to the outstanding-operation limit; everything else one by one, in order.
    const width = i === 2 || i === 3 ? (o.maxOutstandingAssignments ?? 10) : 1;
    try {
      await inPool(changes, width, async (c) => {
        const started = Date.now();
        o.onEvent?.({ type: 'start', change: c });
        try {
          await one(c);
        } catch (e) {
          throw new ApplyFailure(c, e, [], []);
        }
        done.push(c);
        o.onEvent?.({ type: 'done', change: c, seconds: (Date.now() - started) / 1000 });
      });
    } catch (e) {
      const failed = e instanceof ApplyFailure ? e : new ApplyFailure(changes[0] as AccessChange, e, [], []);
      const doneSet = new Set(done);
      throw new ApplyFailure(
        failed.failed,
        failed.cause,
        done,
        plan.changes.filter((c) => !doneSet.has(c)),
      );
    }
  }
  return done;
}
