import { AwsServiceError, type CallerContext } from '../../http/contract.js';
import type { IdcInstance } from '../instance.js';
import { epochSeconds, optInt, optStr, reqStr, validation, type Input } from '../json-input.js';
import type { PermissionSetRecord, SsoAdminState } from './model.js';
import type { Provisioner } from './provisioning.js';

/** Limits, input rules and lookups shared by the sso-admin operations ([model] botocore sso-admin). */
export interface SsoAdminLimits {
  /** [doc] SSOUG-2022 limits: "CreateAccountAssignment has a maximum rate of 10 outstanding async calls". */
  readonly maxOutstandingAssignmentOperations: number;
  /** [doc] limits.html: permission sets per instance. */
  readonly maxPermissionSets: number;
  /** [doc] limits.html: AWS-managed plus customer-managed policies per permission set. */
  readonly maxPoliciesPerPermissionSet: number;
}

export const DEFAULT_SSO_ADMIN_LIMITS: SsoAdminLimits = {
  maxOutstandingAssignmentOperations: 10,
  maxPermissionSets: 2000,
  maxPoliciesPerPermissionSet: 20,
};

export const INSTANCE_ARN = {
  min: 10,
  max: 1224,
  pattern: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
};
export const PS_ARN = {
  min: 10,
  max: 1224,
  pattern:
    /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/,
};
export const PS_NAME = { min: 1, max: 32, pattern: /^[\w+=,.@-]+$/ };
export const DESCRIPTION = { min: 1, max: 700, pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/ };
export const ACCOUNT_ID = { min: 12, max: 12, pattern: /^\d{12}$/ };
export const UUID = {
  min: 36,
  max: 36,
  pattern: /^\b[0-9a-f]{8}\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\b[0-9a-f]{12}\b$/,
};
export const MANAGED_ARN = {
  min: 20,
  max: 2048,
  pattern: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::aws:policy\/[\x21-\x7e]+$/,
};
export const CMP_NAME = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ };
export const CMP_PATH = { min: 1, max: 512, pattern: /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/ };
export const INLINE = { min: 1, max: 32768, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ };
export const PROVISIONING_STATUS = ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'];

/** ISO-8601 duration between PT1H and PT12H ([doc] SSOUG-2022 howtosessionduration). */
export function sessionSeconds(d: string): number {
  const m = /^PT(?:(\d{1,2})H)?(?:(\d{1,4})M)?(?:(\d{1,6})S)?$/.exec(d);
  if (!m || d === 'PT') return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export function checkSessionDuration(d: string): string {
  const s = sessionSeconds(d);
  if (!(s >= 3600 && s <= 43200))
    throw validation(`SessionDuration '${d.slice(0, 100)}' must be an ISO-8601 duration between PT1H and PT12H.`);
  return d;
}

export const notFound = (message: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFoundException', message, 404);
export const conflict = (message: string): AwsServiceError => new AwsServiceError('ConflictException', message, 409);
export const quota = (message: string): AwsServiceError =>
  new AwsServiceError('ServiceQuotaExceededException', message, 402);

export interface SsoAdminDeps {
  readonly instance: IdcInstance;
  readonly state: SsoAdminState;
  readonly provisioner: Provisioner;
  readonly limits: SsoAdminLimits;
  readonly now: () => number;
  readonly isKnownManagedPolicy: (arn: string) => boolean;
}

export interface SsoAdminContext {
  resolve(input: Input, caller: CallerContext): void;
  permissionSet(input: Input, field?: string): PermissionSetRecord;
  psOut(ps: PermissionSetRecord): Record<string, unknown>;
  paging(input: Input): { max: number; token: string | undefined };
  /** Marks the permission set changed (accounts become out of date) and saves it. */
  changed(ps: PermissionSetRecord): void;
}

export function createContext(deps: SsoAdminDeps): SsoAdminContext {
  const { instance: inst, state } = deps;
  function resolve(input: Input, caller: CallerContext): void {
    const arn = reqStr(input, 'InstanceArn', INSTANCE_ARN);
    if (arn !== inst.instanceArn) throw notFound(`Instance ${arn} not found.`);
    if (caller.accountId !== inst.ownerAccountId) {
      throw new AwsServiceError(
        'AccessDeniedException',
        `User: ${caller.principalArn} is not authorized to perform this operation on ${arn}`,
        403,
      );
    }
  }

  function permissionSet(input: Input, field = 'PermissionSetArn'): PermissionSetRecord {
    const arn = reqStr(input, field, PS_ARN);
    const ps = state.permissionSets.get(arn);
    if (!ps) throw notFound(`Could not find PermissionSet with PermissionSetArn ${arn}`);
    return ps;
  }

  const psOut = (ps: PermissionSetRecord): Record<string, unknown> => ({
    Name: ps.name,
    PermissionSetArn: ps.arn,
    CreatedDate: epochSeconds(ps.createdAt),
    SessionDuration: ps.sessionDuration,
    ...(ps.description !== undefined ? { Description: ps.description } : {}),
    ...(ps.relayState !== undefined ? { RelayState: ps.relayState } : {}),
  });

  const paging = (input: Input) => ({
    max: optInt(input, 'MaxResults', 1, 100) ?? 100,
    token: optStr(input, 'NextToken', { max: 2048 }),
  });
  const changed = (ps: PermissionSetRecord): void => {
    ps.version++;
    state.savePermissionSet(ps);
  };
  return { resolve, permissionSet, psOut, paging, changed };
}
