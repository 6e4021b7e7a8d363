import type { EmulatorRequest, EmulatorResponse } from '../../http/contract.js';
import { newRequestId } from '../ids.js';
import type { IdcInstance } from '../instance.js';
import { StoreConflictError, type GroupData, type UserRecord } from '../store.js';
import { listSchemas, listResourceTypes, getSchema, serviceProviderConfig } from './discovery.js';
import { invalid, renderScimError, ScimError } from './errors.js';
import { parseGroup, renderGroup } from './group-schema.js';
import { parseJsonBody } from './json.js';
import { filterGroups, filterUsers, listResponse, paginate } from './list.js';
import { applyUserPatch, collectGroupPatch, parsePatchRequest } from './patch.js';
import { parseUser, renderUser } from './user-schema.js';

/**
 * Identity Center's SCIM endpoint, `/{tenant}/scim/v2/...` ([doc] SCIMDG supported-apis): framework-free,
 * one plain request in, one plain response out. Steps: find the tenant, check the Bearer token, take a
 * rate-limit token, dispatch; every failure is rendered once, in AWS's error body.
 */
export const SCIM_PATH = /^\/([A-Za-z0-9-]{1,64})\/scim\/v2(\/.*)?$/;

export interface ScimDeps {
  readonly findTenant: (tenantId: string) => IdcInstance | undefined;
  readonly now: () => number;
}

type Ctx = { readonly inst: IdcInstance; readonly req: EmulatorRequest; readonly actor: string };

const json = (status: number, body: object, requestId: string): EmulatorResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
  body: JSON.stringify(body),
});

function authenticate(inst: IdcInstance | undefined, req: EmulatorRequest): string {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer[ ]+([\x21-\x7e]+)$/i.exec(header);
  const info = inst && m ? inst.scimTokens.authenticate(m[1] as string) : undefined;
  if (!info) throw new ScimError('UnauthorizedException', 'The request could not be authorized.');
  return `SCIM:${info.tokenId}`;
}

function notFound(kind: 'User' | 'Group', id: string): ScimError {
  return new ScimError('ResourceNotFoundException', `${kind} not found: ${id.length <= 64 ? id : 'id'}`);
}

function conflict(e: StoreConflictError): ScimError {
  return new ScimError('ConflictException', e.message);
}

function requireUsers(ctx: Ctx, ids: readonly string[]): void {
  for (const id of ids) if (!ctx.inst.store.getUser(id)) throw notFound('User', id);
}

// ---- Users ----
function createUser(ctx: Ctx): [number, object] {
  const data = parseUser(parseJsonBody(ctx.req.body), 'create');
  try {
    return [201, renderUser(ctx.inst.store.createUser(data, ctx.actor))];
  } catch (e) {
    if (e instanceof StoreConflictError) throw conflict(e);
    throw e;
  }
}

function getUser(ctx: Ctx, id: string): UserRecord {
  const u = ctx.inst.store.getUser(id);
  if (!u) throw notFound('User', id);
  return u;
}

function replaceUser(ctx: Ctx, id: string, data: ReturnType<typeof parseUser>): [number, object] {
  try {
    return [200, renderUser(ctx.inst.store.replaceUser(id, data, ctx.actor) as UserRecord)];
  } catch (e) {
    if (e instanceof StoreConflictError) throw conflict(e);
    throw e;
  }
}

function patchUser(ctx: Ctx, id: string): [number, object] {
  const user = getUser(ctx, id);
  const ops = parsePatchRequest(parseJsonBody(ctx.req.body));
  // Work on a detached copy; validate the whole result as PutUser would; then store it in one step.
  const doc = parseJsonBody(Buffer.from(JSON.stringify(renderUser(user))));
  applyUserPatch(doc, ops);
  return replaceUser(ctx, id, parseUser(doc, 'put'));
}

// ---- Groups ----
function createGroup(ctx: Ctx): [number, object] {
  const { data, memberIds } = parseGroup(parseJsonBody(ctx.req.body));
  requireUsers(ctx, memberIds);
  try {
    return [201, renderGroup(ctx.inst.store.createGroup(data, memberIds, ctx.actor))];
  } catch (e) {
    if (e instanceof StoreConflictError) throw conflict(e);
    throw e;
  }
}

function patchGroup(ctx: Ctx, id: string): [number, object | null] {
  const { store } = ctx.inst;
  const group = store.getGroup(id);
  if (!group) throw notFound('Group', id);
  const change = collectGroupPatch(id, parsePatchRequest(parseJsonBody(ctx.req.body)));
  requireUsers(ctx, change.add);
  const next: GroupData = { displayName: group.displayName };
  if (group.description !== undefined) next.description = group.description;
  if (group.externalId !== undefined) next.externalId = group.externalId;
  if (change.displayName !== undefined) {
    const parsed = parseGroup(
      parseJsonBody(
        Buffer.from(
          JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: change.displayName }),
        ),
      ),
    );
    next.displayName = parsed.data.displayName;
  }
  if (change.externalId === null) delete next.externalId;
  else if (change.externalId !== undefined) next.externalId = change.externalId;
  try {
    store.atomically(() => {
      if (change.displayName !== undefined || change.externalId !== undefined) store.replaceGroup(id, next, ctx.actor);
      for (const uid of change.add) store.addMember(id, uid, ctx.actor);
      for (const uid of change.remove) store.removeMember(id, uid);
    });
  } catch (e) {
    if (e instanceof StoreConflictError) throw conflict(e);
    throw e;
  }
  return [204, null];
}

function route(ctx: Ctx, rest: string): [number, object | null] {
  const { req, inst } = ctx;
  const { store } = inst;
  const parts = rest.split('/').filter((p, i) => i > 0 || p !== '');
  const [collection, id, extra] = parts;
  if (extra !== undefined || id === '') throw invalid('The operation is not supported.');
  const m = req.method.toUpperCase();
  switch (collection) {
    case 'Users':
      if (id === undefined) {
        if (m === 'GET')
          return [200, listResponse(paginate(filterUsers(store, req.query.get('filter')), req.query), renderUser)];
        if (m === 'POST') return createUser(ctx);
        break;
      }
      if (id.startsWith('.')) break;
      if (m === 'GET') return [200, renderUser(getUser(ctx, id))];
      if (m === 'PUT') {
        getUser(ctx, id);
        return replaceUser(ctx, id, parseUser(parseJsonBody(req.body), 'put'));
      }
      if (m === 'PATCH') return patchUser(ctx, id);
      if (m === 'DELETE') {
        if (!store.deleteUser(id)) throw notFound('User', id);
        return [204, null];
      }
      break;
    case 'Groups':
      if (id === undefined) {
        if (m === 'GET')
          return [200, listResponse(paginate(filterGroups(store, req.query.get('filter')), req.query), renderGroup)];
        if (m === 'POST') return createGroup(ctx);
        break;
      }
      if (id.startsWith('.')) break;
      if (m === 'GET') {
        const g = store.getGroup(id);
        if (!g) throw notFound('Group', id);
        return [200, renderGroup(g)];
      }
      if (m === 'PATCH') return patchGroup(ctx, id);
      if (m === 'DELETE') {
        if (!store.deleteGroup(id)) throw notFound('Group', id);
        return [204, null];
      }
      break;
    case 'ServiceProviderConfig':
      if (m === 'GET' && id === undefined) return [200, serviceProviderConfig()];
      break;
    case 'ResourceTypes':
      if (m === 'GET' && id === undefined) return [200, listResourceTypes()];
      if (m === 'GET' && (id === 'User' || id === 'Group'))
        return [200, (listResourceTypes() as { Resources: object[] }).Resources[id === 'User' ? 0 : 1] as object];
      break;
    case 'Schemas':
      if (m === 'GET' && id === undefined) return [200, listSchemas()];
      if (m === 'GET' && id !== undefined) {
        const s = getSchema(id);
        if (!s) throw new ScimError('ResourceNotFoundException', 'Schema not found.');
        return [200, s];
      }
      break;
    default:
      break;
  }
  // /Bulk, /Me, /Search, PUT on groups and every other method or path: "the operation is unsupported".
  throw invalid('The operation is not supported.');
}

export function createScimHandler(deps: ScimDeps): (req: EmulatorRequest) => EmulatorResponse {
  return (req) => {
    const requestId = newRequestId();
    try {
      const m = SCIM_PATH.exec(req.path);
      if (!m) throw new ScimError('UnauthorizedException', 'The request could not be authorized.');
      const inst = deps.findTenant(m[1] as string);
      const actor = authenticate(inst, req);
      const ctx: Ctx = { inst: inst as IdcInstance, req, actor };
      const slot = ctx.inst.scimBucket.take();
      if (!slot.ok) throw new ScimError('ThrottlingException', 'Rate exceeded', slot.retryAfterSeconds);
      const [status, body] = route(ctx, (m[2] ?? '').replace(/\/$/, ''));
      if (body === null) return { status, headers: { 'x-amzn-requestid': requestId }, body: '' };
      return json(status, body, requestId);
    } catch (e) {
      if (e instanceof ScimError) return renderScimError(e, requestId, deps.now());
      return renderScimError(
        new ScimError('InternalServerException', 'An internal error occurred.'),
        requestId,
        deps.now(),
      );
    }
  };
}
