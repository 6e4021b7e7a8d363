/**
 * Admin API schemas (TypeBox). The same objects validate requests (unknown fields refused:
 * additionalProperties false everywhere) and generate /api/v1/openapi.json.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    code: Type.String({
      description:
        'Stable machine-readable code, e.g. invalid_input, not_found, conflict, membership_cycle, unauthenticated, malformed_json, payload_too_large',
    }),
    message: Type.String(),
    problems: Type.Optional(Type.Array(Type.Object({ at: Type.String(), message: Type.String() }, closed))),
  },
  closed,
);
export type ErrorBody = Static<typeof ErrorBody>;

const Id = Type.String({ minLength: 1, maxLength: 128 });
export const IdParams = Type.Object({ id: Id }, closed);
export type IdParams = Static<typeof IdParams>;

const Email = Type.Object(
  {
    value: Type.String({ minLength: 3, maxLength: 320 }),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    primary: Type.Optional(Type.Boolean()),
  },
  closed,
);
const AttributeValue = Type.Union([
  Type.String({ maxLength: 2048 }),
  Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 }),
]);
const Attributes = Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,63}$' }), AttributeValue, {
  ...closed,
  maxProperties: 100,
  description: 'Flat custom attributes: string or string-array values',
});
const Name = Nullable(Type.String({ maxLength: 256 }));
const UserStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);

export const User = Type.Object(
  {
    id: Type.String(),
    userName: Type.String(),
    givenName: Name,
    familyName: Name,
    displayName: Name,
    emails: Type.Array(Email),
    externalId: Nullable(Type.String()),
    status: UserStatus,
    attributes: Attributes,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  closed,
);

const userFields = {
  givenName: Type.Optional(Name),
  familyName: Type.Optional(Name),
  displayName: Type.Optional(Name),
  emails: Type.Optional(Type.Array(Email, { maxItems: 20 })),
  externalId: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  attributes: Type.Optional(Attributes),
};
export const NewUserBody = Type.Object(
  { userName: Type.String({ minLength: 1, maxLength: 256 }), ...userFields, status: Type.Optional(UserStatus) },
  closed,
);
export type NewUserBody = Static<typeof NewUserBody>;
export const UserPatchBody = Type.Object(
  { userName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), ...userFields },
  { ...closed, minProperties: 1 },
);
export type UserPatchBody = Static<typeof UserPatchBody>;
export const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, closed);
export type PasswordBody = Static<typeof PasswordBody>;

const PageParams = {
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor from the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  count: Type.Optional(
    Type.Boolean({
      description: 'Count all matches into total (default: on the first page only; counting reads every match)',
    }),
  ),
};
export const UserQuery = Type.Object(
  {
    userName: Type.Optional(Type.String({ maxLength: 256, description: 'Exact userName, case-insensitive' })),
    search: Type.Optional(
      Type.String({ maxLength: 256, description: 'Case-insensitive prefix of userName, displayName or email' }),
    ),
    status: Type.Optional(UserStatus),
    ...PageParams,
  },
  closed,
);
export type UserQuery = Static<typeof UserQuery>;

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object(
    { items: Type.Array(item), nextCursor: Type.Optional(Type.String()), total: Type.Optional(Type.Integer()) },
    closed,
  );

export const Group = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    description: Nullable(Type.String()),
    externalId: Nullable(Type.String()),
    attributes: Attributes,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  closed,
);
const groupFields = {
  description: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
  externalId: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  attributes: Type.Optional(Attributes),
};
export const NewGroupBody = Type.Object(
  { displayName: Type.String({ minLength: 1, maxLength: 256 }), ...groupFields },
  closed,
);
export type NewGroupBody = Static<typeof NewGroupBody>;
export const GroupPatchBody = Type.Object(
  { displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), ...groupFields },
  { ...closed, minProperties: 1 },
);
export type GroupPatchBody = Static<typeof GroupPatchBody>;
export const GroupQuery = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 256, description: 'Exact displayName, case-insensitive' })),
    search: Type.Optional(Type.String({ maxLength: 256, description: 'Case-insensitive prefix of displayName' })),
    ...PageParams,
  },
  closed,
);
export type GroupQuery = Static<typeof GroupQuery>;

const MemberKind = Type.Union([Type.Literal('user'), Type.Literal('group')]);
export const Member = Type.Object({ kind: MemberKind, id: Id }, closed);
export type Member = Static<typeof Member>;
export const MemberParams = Type.Object({ id: Id, kind: MemberKind, memberId: Id }, closed);
export type MemberParams = Static<typeof MemberParams>;
export const MemberList = Type.Object({ items: Type.Array(Member) }, closed);
export const UserGroupsQuery = Type.Object(
  { effective: Type.Optional(Type.Boolean({ description: 'Include groups reached through nested groups' })) },
  closed,
);

export const AuditEvent = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  reason: Type.Optional(Type.String()),
  actor: Type.Object({
    kind: Type.String(),
    id: Type.String(),
    label: Type.Optional(Type.String()),
    ip: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  }),
  target: Type.Optional(Type.Object({ type: Type.String(), id: Type.String(), label: Type.Optional(Type.String()) })),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 256, description: 'Actor id (user id, token id, CLI user)' })),
    target: Type.Optional(Type.String({ maxLength: 256, description: 'Target id' })),
    action: Type.Optional(
      Type.String({ maxLength: 128, description: 'Exact action, e.g. user.created or signin.password' }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    ...PageParams,
  },
  closed,
);
export type AuditQuery = Static<typeof AuditQuery>;
