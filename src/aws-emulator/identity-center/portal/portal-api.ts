import type { EmulatorRequest, EmulatorResponse, RestRouteRegistration } from '../../http/contract.js';
import type { AccountDirectory, CredentialIssuer, IamWriter } from '../../world-contract.js';
import { newRequestId } from '../ids.js';
import type { IdcInstance } from '../instance.js';
import type { SsoAdminState } from '../sso-admin/model.js';
import { entitlementsOf } from './entitlements.js';
import { issueRoleCredentials } from './role-session.js';
import type { AccessSessions } from './sessions.js';

/**
 * The access portal API that `aws sso` and the SDKs' SSO credential provider call ([model] botocore sso
 * 2019-06-10, rest-json, no SigV4; the token travels in `x-amz-sso_bearer_token`). GetRoleCredentials
 * returns `expiration` in epoch milliseconds.
 */
export interface PortalApiDeps {
  readonly instance: IdcInstance;
  readonly state: SsoAdminState;
  readonly sessions: AccessSessions;
  readonly iam: IamWriter;
  readonly credentials: CredentialIssuer;
  readonly accounts: AccountDirectory;
}

class PortalError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const PATHS = new Set(['/assignment/accounts', '/assignment/roles', '/federation/credentials', '/logout']);

function reply(status: number, body: unknown, requestId: string, errorType?: string): EmulatorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return { status, headers, body: body === undefined ? '' : JSON.stringify(body) };
}

function page<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxRaw = query.get('max_result');
  let max = 100;
  if (maxRaw !== null) {
    if (!/^\d{1,3}$/.test(maxRaw) || Number(maxRaw) < 1 || Number(maxRaw) > 100)
      throw new PortalError('InvalidRequestException', 400, 'max_result must be between 1 and 100.');
    max = Number(maxRaw);
  }
  let start = 0;
  const token = query.get('next_token');
  if (token !== null) {
    const m = /^p1\.(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new PortalError('InvalidRequestException', 400, 'The next_token is invalid.');
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + max);
  return start + max < items.length
    ? { items: slice, nextToken: Buffer.from(`p1.${start + max}`).toString('base64url') }
    : { items: slice };
}

export function createPortalApiRoute(deps: PortalApiDeps): RestRouteRegistration {
  function handle(req: EmulatorRequest): EmulatorResponse {
    const requestId = newRequestId();
    try {
      const method = req.method.toUpperCase();
      const token = req.headers['x-amz-sso_bearer_token'];
      const session = deps.sessions.accessToken(token);
      if (!session || token === undefined)
        throw new PortalError('UnauthorizedException', 401, 'Session token not found or invalid');
      const user = deps.instance.store.getUser(session.userId);
      if (!user?.active) throw new PortalError('UnauthorizedException', 401, 'Session token not found or invalid');
      const mine = entitlementsOf(deps.instance, deps.state, user.id);
      if (req.path === '/logout') {
        if (method !== 'POST') throw new PortalError('InvalidRequestException', 400, 'Logout requires POST.');
        deps.sessions.revokeAccessToken(token);
        return reply(200, undefined, requestId);
      }
      if (method !== 'GET') throw new PortalError('InvalidRequestException', 400, 'Unsupported method.');
      if (req.path === '/assignment/accounts') {
        const ids = [...new Set(mine.map((e) => e.accountId))];
        const p = page(ids, req.query);
        const accountList = p.items.map((id) => {
          const a = deps.accounts.getAccount(id);
          return { accountId: id, accountName: a?.name ?? id, emailAddress: a?.email ?? '' };
        });
        return reply(200, { accountList, ...(p.nextToken ? { nextToken: p.nextToken } : {}) }, requestId);
      }
      const accountId = req.query.get('account_id');
      if (accountId === null || !/^\d{12}$/.test(accountId))
        throw new PortalError('InvalidRequestException', 400, 'account_id must be a 12-digit account id.');
      if (req.path === '/assignment/roles') {
        const p = page(
          mine.filter((e) => e.accountId === accountId),
          req.query,
        );
        return reply(
          200,
          {
            roleList: p.items.map((e) => ({ roleName: e.permissionSet.name, accountId })),
            ...(p.nextToken ? { nextToken: p.nextToken } : {}),
          },
          requestId,
        );
      }
      const roleName = req.query.get('role_name');
      if (roleName === null || roleName === '')
        throw new PortalError('InvalidRequestException', 400, 'role_name is required.');
      const e = mine.find((x) => x.accountId === accountId && x.permissionSet.name === roleName);
      // Real AWS answers an unmodelled ForbiddenException "No access" for a role the user is not assigned.
      if (!e) throw new PortalError('ForbiddenException', 403, 'No access');
      const issued = issueRoleCredentials(deps, user, e);
      if (!issued)
        throw new PortalError('ResourceNotFoundException', 404, 'The role is not provisioned in the account.');
      const c = issued.credentials;
      return reply(
        200,
        {
          roleCredentials: {
            accessKeyId: c.accessKeyId,
            secretAccessKey: c.secretAccessKey,
            sessionToken: c.sessionToken,
            expiration: c.expiration,
          },
        },
        requestId,
      );
    } catch (err) {
      if (err instanceof PortalError) return reply(err.status, { message: err.message }, requestId, err.code);
      throw err;
    }
  }
  return { kind: 'rest', name: 'identity-center-portal-api', matches: (req) => PATHS.has(req.path), handle };
}
