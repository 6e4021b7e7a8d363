import {
  AwsServiceError,
  type CallerContext,
  type JsonOperation,
  type JsonServiceRegistration,
} from '../../http/contract.js';
import { RESOURCE_ID_PATTERN } from '../ids.js';
import type { IdcInstance } from '../instance.js';
import {
  epochSeconds,
  optInt,
  optList,
  optObj,
  optStr,
  paginateBySeq,
  reqObj,
  reqStr,
  validation,
  type Input,
} from '../json-input.js';
import { ScimError } from '../scim/errors.js';
import { parseJsonBody, type JsonValue } from '../scim/json.js';
import { applyUserPatch } from '../scim/patch.js';
import { parseUser, renderUser, USER_SCHEMA } from '../scim/user-schema.js';
import { StoreConflictError, type GroupRecord, type MembershipRecord, type UserRecord } from '../store.js';

/**
 * identitystore (awsJson1_1, `AWSIdentityStore.*`, SigV4 service `identitystore`) over the same store as
 * SCIM ([model] botocore identitystore 2020-06-15). Only the instance's owner (the management account) may
 * call it.
 */
type ResourceType = 'GROUP' | 'USER' | 'IDENTITY_STORE' | 'GROUP_MEMBERSHIP';

const STORE_ID = /^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_RULE = { min: 1, max: 47, pattern: RESOURCE_ID_PATTERN };

function notFound(type: ResourceType, id: string, requestId: string): AwsServiceError {
  const label = {
    GROUP: 'Group',
    USER: 'User',
    IDENTITY_STORE: 'Identity store',
    GROUP_MEMBERSHIP: 'Group membership',
  }[type];
  return new AwsServiceError('ResourceNotFoundException', `${label} with id ${id} not found`, 404, 'Sender', {
    ResourceType: type,
    ResourceId: id,
    RequestId: requestId,
  });
}

function conflict(requestId: string, message = 'Duplicate value for a unique attribute.'): AwsServiceError {
  return new AwsServiceError('ConflictException', message, 409, 'Sender', {
    Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION',
    RequestId: requestId,
  });
}

export function externalIdIssuer(inst: IdcInstance): string {
  return `https://scim.${inst.region}.amazonaws.com/${inst.ids.scimTenantId}`;
}

function userOut(inst: IdcInstance, u: UserRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { IdentityStoreId: inst.identityStoreId, UserId: u.id, UserName: u.userName };
  if (u.externalId !== undefined) out.ExternalIds = [{ Issuer: externalIdIssuer(inst), Id: u.externalId }];
  const n = u.name;
  out.Name = {
    ...(n.formatted !== undefined ? { Formatted: n.formatted } : {}),
    ...(n.familyName !== undefined ? { FamilyName: n.familyName } : {}),
    ...(n.givenName !== undefined ? { GivenName: n.givenName } : {}),
    ...(n.middleName !== undefined ? { MiddleName: n.middleName } : {}),
    ...(n.honorificPrefix !== undefined ? { HonorificPrefix: n.honorificPrefix } : {}),
    ...(n.honorificSuffix !== undefined ? { HonorificSuffix: n.honorificSuffix } : {}),
  };
  if (u.displayName !== undefined) out.DisplayName = u.displayName;
  const simple: Array<[keyof UserRecord, string]> = [
    ['nickName', 'NickName'],
    ['profileUrl', 'ProfileUrl'],
    ['userType', 'UserType'],
    ['title', 'Title'],
    ['preferredLanguage', 'PreferredLanguage'],
    ['locale', 'Locale'],
    ['timezone', 'Timezone'],
  ];
  for (const [k, o] of simple) if (u[k] !== undefined) out[o] = u[k];
  if (u.emails.length)
    out.Emails = u.emails.map((e) => ({ Value: e.value, ...(e.type ? { Type: e.type } : {}), Primary: e.primary }));
  if (u.phoneNumbers.length)
    out.PhoneNumbers = u.phoneNumbers.map((p) => ({
      Value: p.value,
      ...(p.type ? { Type: p.type } : {}),
      ...(p.primary !== undefined ? { Primary: p.primary } : {}),
    }));
  if (u.addresses.length) {
    out.Addresses = u.addresses.map((a) => ({
      ...(a.streetAddress ? { StreetAddress: a.streetAddress } : {}),
      ...(a.locality ? { Locality: a.locality } : {}),
      ...(a.region ? { Region: a.region } : {}),
      ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
      ...(a.country ? { Country: a.country } : {}),
      ...(a.formatted ? { Formatted: a.formatted } : {}),
      ...(a.type ? { Type: a.type } : {}),
      ...(a.primary !== undefined ? { Primary: a.primary } : {}),
    }));
  }
  out.UserStatus = u.active ? 'ENABLED' : 'DISABLED';
  out.CreatedAt = epochSeconds(u.created);
  out.UpdatedAt = epochSeconds(u.lastModified);
  out.CreatedBy = u.createdBy;
  out.UpdatedBy = u.updatedBy;
  return out;
}

function groupOut(inst: IdcInstance, g: GroupRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    GroupId: g.id,
    DisplayName: g.displayName,
    IdentityStoreId: inst.identityStoreId,
  };
  if (g.externalId !== undefined) out.ExternalIds = [{ Issuer: externalIdIssuer(inst), Id: g.externalId }];
  if (g.description !== undefined) out.Description = g.description;
  out.CreatedAt = epochSeconds(g.created);
  out.UpdatedAt = epochSeconds(g.lastModified);
  out.CreatedBy = g.createdBy;
  out.UpdatedBy = g.updatedBy;
  return out;
}

const membershipOut = (inst: IdcInstance, m: MembershipRecord): Record<string, unknown> => ({
  IdentityStoreId: inst.identityStoreId,
  MembershipId: m.membershipId,
  GroupId: m.groupId,
  MemberId: { UserId: m.userId },
  CreatedAt: epochSeconds(m.created),
  CreatedBy: m.createdBy,
});

/** identitystore CreateUser input, translated to the SCIM shape so both front doors share one validator. */
function userFromInput(input: Input): ReturnType<typeof parseUser> {
  const name = optObj(input, 'Name') ?? {};
  const scim: Record<string, unknown> = {
    schemas: [USER_SCHEMA],
    userName: input.UserName,
    displayName: input.DisplayName,
    name: {
      formatted: name.Formatted,
      familyName: name.FamilyName,
      givenName: name.GivenName,
      middleName: name.MiddleName,
      honorificPrefix: name.HonorificPrefix,
      honorificSuffix: name.HonorificSuffix,
    },
  };
  for (const [from, to] of [
    ['NickName', 'nickName'],
    ['ProfileUrl', 'profileUrl'],
    ['UserType', 'userType'],
    ['Title', 'title'],
    ['PreferredLanguage', 'preferredLanguage'],
    ['Locale', 'locale'],
    ['Timezone', 'timezone'],
  ] as const) {
    if (input[from] !== undefined) scim[to] = input[from];
  }
  const emails = optList(input, 'Emails', 1);
  if (emails)
    scim.emails = emails.map((e) => ({
      value: (e as Input).Value,
      type: (e as Input).Type,
      primary: (e as Input).Primary ?? true,
    }));
  const phones = optList(input, 'PhoneNumbers', 1);
  if (phones)
    scim.phoneNumbers = phones.map((p) => ({
      value: (p as Input).Value,
      type: (p as Input).Type,
      primary: (p as Input).Primary,
    }));
  try {
    return parseUser(parseJsonBody(Buffer.from(JSON.stringify(scim))), 'put');
  } catch (e) {
    if (e instanceof ScimError) throw validation(e.detail);
    throw e;
  }
}

/** identitystore documents use PascalCase members (`Value`, `Primary`); the SCIM schema uses camelCase. */
function camel(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(camel);
  if (v !== null && typeof v === 'object') {
    const out = Object.create(null) as Record<string, JsonValue>;
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype')
        throw validation('Attribute names __proto__, constructor and prototype are not allowed.');
      out[k.charAt(0).toLowerCase() + k.slice(1)] = camel(val);
    }
    return out;
  }
  return v as JsonValue;
}

function updateOperations(input: Input): Array<{ path: string; value: JsonValue }> {
  const ops = optList(input, 'Operations', 100);
  if (!ops || ops.length === 0)
    throw validation(
      "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  return ops.map((o) => {
    const op = o as Input;
    return { path: reqStr(op, 'AttributePath', { min: 1, max: 255 }), value: camel(op.AttributeValue) };
  });
}

export function createIdentityStoreRegistration(
  findByStoreId: (id: string) => IdcInstance | undefined,
): JsonServiceRegistration {
  function resolve(input: Input, caller: CallerContext): IdcInstance {
    const storeId = reqStr(input, 'IdentityStoreId', { min: 1, max: 36, pattern: STORE_ID });
    const inst = findByStoreId(storeId);
    if (!inst) throw notFound('IDENTITY_STORE', storeId, caller.requestId);
    if (inst.ownerAccountId !== caller.accountId) {
      throw new AwsServiceError(
        'AccessDeniedException',
        `User: ${caller.principalArn} is not authorized to access identity store ${storeId}`,
        403,
        'Sender',
        { RequestId: caller.requestId },
      );
    }
    return inst;
  }
  const user = (inst: IdcInstance, id: string, caller: CallerContext): UserRecord => {
    const u = inst.store.getUser(id);
    if (!u) throw notFound('USER', id, caller.requestId);
    return u;
  };
  const group = (inst: IdcInstance, id: string, caller: CallerContext): GroupRecord => {
    const g = inst.store.getGroup(id);
    if (!g) throw notFound('GROUP', id, caller.requestId);
    return g;
  };
  const paging = (input: Input) => ({
    max: optInt(input, 'MaxResults', 1, 100) ?? 100,
    token: optStr(input, 'NextToken', { min: 1, max: 65535 }),
  });
  const memberUserId = (input: Input): string => reqStr(reqObj(input, 'MemberId'), 'UserId', ID_RULE);
  const actorOf = (caller: CallerContext): string => caller.principalArn;

  function filterValue(input: Input, allowedPath: string): string | undefined {
    const filters = optList(input, 'Filters', 1);
    const f = filters?.[0] as Input | undefined;
    if (!f) return undefined;
    const path = reqStr(f, 'AttributePath', { min: 1, max: 255 });
    if (path.toLowerCase() !== allowedPath.toLowerCase()) throw validation(`Filtering on ${path} is not supported.`);
    return reqStr(f, 'AttributeValue', { min: 1, max: 1024 });
  }

  function alternate(
    input: Input,
  ): { kind: 'external'; issuer: string; id: string } | { kind: 'unique'; path: string; value: string } {
    const alt = reqObj(input, 'AlternateIdentifier');
    const ext = optObj(alt, 'ExternalId');
    const uniq = optObj(alt, 'UniqueAttribute');
    if ((ext ? 1 : 0) + (uniq ? 1 : 0) !== 1)
      throw validation('AlternateIdentifier must contain exactly one of ExternalId or UniqueAttribute.');
    if (ext)
      return {
        kind: 'external',
        issuer: reqStr(ext, 'Issuer', { min: 1, max: 100 }),
        id: reqStr(ext, 'Id', { min: 1, max: 256 }),
      };
    const u = uniq as Input;
    const value = u.AttributeValue;
    if (typeof value !== 'string') throw validation('UniqueAttribute.AttributeValue must be a string.');
    return { kind: 'unique', path: reqStr(u, 'AttributePath', { min: 1, max: 255 }).toLowerCase(), value };
  }

  const operations: Record<string, JsonOperation> = {
    ListUsers(input, caller) {
      const inst = resolve(input, caller);
      const { max, token } = paging(input);
      const userName = filterValue(input, 'UserName');
      const all =
        userName === undefined
          ? inst.store.listUsers()
          : [inst.store.findUserByUserName(userName)].filter((u): u is UserRecord => !!u);
      const { page, nextToken } = paginateBySeq(all, (u) => u.seq, max, token);
      return { Users: page.map((u) => userOut(inst, u)), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    DescribeUser(input, caller) {
      const inst = resolve(input, caller);
      return userOut(inst, user(inst, reqStr(input, 'UserId', ID_RULE), caller));
    },
    GetUserId(input, caller) {
      const inst = resolve(input, caller);
      const alt = alternate(input);
      let u: UserRecord | undefined;
      if (alt.kind === 'external')
        u = alt.issuer === externalIdIssuer(inst) ? inst.store.findUserByExternalId(alt.id) : undefined;
      else if (alt.path === 'username') u = inst.store.findUserByUserName(alt.value);
      else if (alt.path === 'emails.value')
        u = inst.store.listUsers().find((x) => x.emails.some((e) => e.value.toLowerCase() === alt.value.toLowerCase()));
      else throw validation(`${alt.path} is not a unique attribute of a user.`);
      if (!u) throw notFound('USER', alt.kind === 'external' ? alt.id : alt.value, caller.requestId);
      return { UserId: u.id, IdentityStoreId: inst.identityStoreId };
    },
    CreateUser(input, caller) {
      const inst = resolve(input, caller);
      const data = userFromInput(input);
      try {
        const u = inst.store.createUser(data, actorOf(caller));
        return { UserId: u.id, IdentityStoreId: inst.identityStoreId };
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(caller.requestId);
        throw e;
      }
    },
    UpdateUser(input, caller) {
      const inst = resolve(input, caller);
      const u = user(inst, reqStr(input, 'UserId', ID_RULE), caller);
      const ops = updateOperations(input);
      let data: ReturnType<typeof parseUser>;
      try {
        const doc = parseJsonBody(Buffer.from(JSON.stringify(renderUser(u))));
        applyUserPatch(
          doc,
          ops.map((o) =>
            o.value === null
              ? { op: 'remove' as const, path: o.path }
              : { op: 'replace' as const, path: o.path, value: o.value },
          ),
        );
        data = parseUser(doc, 'put');
      } catch (e) {
        if (e instanceof ScimError) throw validation(e.detail);
        throw e;
      }
      try {
        inst.store.replaceUser(u.id, data, actorOf(caller));
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(caller.requestId);
        throw e;
      }
      return {};
    },
    DeleteUser(input, caller) {
      const inst = resolve(input, caller);
      const id = reqStr(input, 'UserId', ID_RULE);
      if (!inst.store.deleteUser(id)) throw notFound('USER', id, caller.requestId);
      return {};
    },
    ListGroups(input, caller) {
      const inst = resolve(input, caller);
      const { max, token } = paging(input);
      const name = filterValue(input, 'DisplayName');
      const all =
        name === undefined
          ? inst.store.listGroups()
          : [inst.store.findGroupByDisplayName(name)].filter((g): g is GroupRecord => !!g);
      const { page, nextToken } = paginateBySeq(all, (g) => g.seq, max, token);
      return { Groups: page.map((g) => groupOut(inst, g)), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    DescribeGroup(input, caller) {
      const inst = resolve(input, caller);
      return groupOut(inst, group(inst, reqStr(input, 'GroupId', ID_RULE), caller));
    },
    GetGroupId(input, caller) {
      const inst = resolve(input, caller);
      const alt = alternate(input);
      let g: GroupRecord | undefined;
      if (alt.kind === 'external')
        g = alt.issuer === externalIdIssuer(inst) ? inst.store.findGroupByExternalId(alt.id) : undefined;
      else if (alt.path === 'displayname') g = inst.store.findGroupByDisplayName(alt.value);
      else throw validation(`${alt.path} is not a unique attribute of a group.`);
      if (!g) throw notFound('GROUP', alt.kind === 'external' ? alt.id : alt.value, caller.requestId);
      return { GroupId: g.id, IdentityStoreId: inst.identityStoreId };
    },
    CreateGroup(input, caller) {
      const inst = resolve(input, caller);
      const displayName = reqStr(input, 'DisplayName', { min: 1, max: 1024, pattern: /^[^<>;:%\t\n\r]+$/ });
      const description = optStr(input, 'Description', { min: 1, max: 1024 });
      try {
        const g = inst.store.createGroup(
          { displayName, ...(description !== undefined ? { description } : {}) },
          [],
          actorOf(caller),
        );
        return { GroupId: g.id, IdentityStoreId: inst.identityStoreId };
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(caller.requestId);
        throw e;
      }
    },
    UpdateGroup(input, caller) {
      const inst = resolve(input, caller);
      const g = group(inst, reqStr(input, 'GroupId', ID_RULE), caller);
      const next: { displayName: string; description?: string; externalId?: string } = { displayName: g.displayName };
      if (g.description !== undefined) next.description = g.description;
      if (g.externalId !== undefined) next.externalId = g.externalId;
      for (const op of updateOperations(input)) {
        const path = op.path.toLowerCase();
        if (path === 'displayname') {
          if (typeof op.value !== 'string' || !/^[^<>;:%\t\n\r]{1,1024}$/.test(op.value) || op.value.trim() === '')
            throw validation('displayName must be a non-empty string without < > ; : % or control characters.');
          next.displayName = op.value;
        } else if (path === 'description') {
          if (op.value === null) delete next.description;
          else if (typeof op.value === 'string' && op.value.length >= 1 && op.value.length <= 1024)
            next.description = op.value;
          else throw validation('description must be a string of 1 to 1024 characters.');
        } else {
          throw validation(`${op.path.slice(0, 255)} is not an attribute of a group that can be updated.`);
        }
      }
      try {
        inst.store.replaceGroup(g.id, next, actorOf(caller));
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(caller.requestId);
        throw e;
      }
      return {};
    },
    DeleteGroup(input, caller) {
      const inst = resolve(input, caller);
      const id = reqStr(input, 'GroupId', ID_RULE);
      if (!inst.store.deleteGroup(id)) throw notFound('GROUP', id, caller.requestId);
      return {};
    },
    CreateGroupMembership(input, caller) {
      const inst = resolve(input, caller);
      const g = group(inst, reqStr(input, 'GroupId', ID_RULE), caller);
      const u = user(inst, memberUserId(input), caller);
      if (inst.store.isMember(g.id, u.id)) throw conflict(caller.requestId, 'Member is already in the group.');
      const m = inst.store.addMember(g.id, u.id, actorOf(caller));
      return { MembershipId: m.membershipId, IdentityStoreId: inst.identityStoreId };
    },
    DeleteGroupMembership(input, caller) {
      const inst = resolve(input, caller);
      const id = reqStr(input, 'MembershipId', ID_RULE);
      const m = inst.store.getMembership(id);
      if (!m) throw notFound('GROUP_MEMBERSHIP', id, caller.requestId);
      inst.store.removeMember(m.groupId, m.userId);
      return {};
    },
    DescribeGroupMembership(input, caller) {
      const inst = resolve(input, caller);
      const id = reqStr(input, 'MembershipId', ID_RULE);
      const m = inst.store.getMembership(id);
      if (!m) throw notFound('GROUP_MEMBERSHIP', id, caller.requestId);
      return {
        IdentityStoreId: inst.identityStoreId,
        MembershipId: m.membershipId,
        GroupId: m.groupId,
        MemberId: { UserId: m.userId },
      };
    },
    GetGroupMembershipId(input, caller) {
      const inst = resolve(input, caller);
      const g = group(inst, reqStr(input, 'GroupId', ID_RULE), caller);
      const uid = memberUserId(input);
      const m = inst.store.membershipFor(g.id, uid);
      if (!m) throw notFound('GROUP_MEMBERSHIP', uid, caller.requestId);
      return { MembershipId: m.membershipId, IdentityStoreId: inst.identityStoreId };
    },
    ListGroupMemberships(input, caller) {
      const inst = resolve(input, caller);
      const g = group(inst, reqStr(input, 'GroupId', ID_RULE), caller);
      const { max, token } = paging(input);
      const { page, nextToken } = paginateBySeq(inst.store.membershipsOfGroup(g.id), (m) => m.seq, max, token);
      return {
        GroupMemberships: page.map((m) => membershipOut(inst, m)),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListGroupMembershipsForMember(input, caller) {
      const inst = resolve(input, caller);
      const u = user(inst, memberUserId(input), caller);
      const { max, token } = paging(input);
      const { page, nextToken } = paginateBySeq(inst.store.membershipsOfUser(u.id), (m) => m.seq, max, token);
      return {
        GroupMemberships: page.map((m) => membershipOut(inst, m)),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    IsMemberInGroups(input, caller) {
      const inst = resolve(input, caller);
      const uid = memberUserId(input);
      const groupIds = optList(input, 'GroupIds', 100);
      if (!groupIds || groupIds.length === 0)
        throw validation(
          "1 validation error detected: Value at 'groupIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      return {
        Results: groupIds.map((gid) => {
          if (typeof gid !== 'string' || !RESOURCE_ID_PATTERN.test(gid))
            throw validation('GroupIds must be group ids.');
          return { GroupId: gid, MemberId: { UserId: uid }, MembershipExists: inst.store.isMember(gid, uid) };
        }),
      };
    },
  };
  return { kind: 'json', targetPrefix: 'AWSIdentityStore', signingName: 'identitystore', operations };
}
