/**
 * AWS Organizations on JSON 1.1 (`AWSOrganizationsV20161128.*`) over the organisation's account tree
 * (org-store.ts). Only the management account may call the list, describe and write operations
 * (DescribeOrganization is open to every member, as in AWS). List pages hold at most 20 entries (MaxResults
 * 1–20) and NextToken is bound to the operation and parent it came from.
 */
import type { CallerContext, JsonOperation, JsonServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { WorldAccount, WorldOu } from '../world/world.js';
import type { CreateAccountRequest, OrganizationStore } from './org-store.js';
import { orgError } from './org-store.js';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';

const MAX_RESULTS = 20;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const CHILD_ID = /^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ACCOUNT_ID = /^\d{12}$/;
const RESOURCE_ID =
  /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|p-[0-9a-zA-Z_]{8,128}|rp-[0-9a-zA-Z_]{4,128}|rt-[0-9a-zA-Z_]{8,32})$/;

function invalidInput(reason: string, message: string): AwsServiceError {
  return orgError('InvalidInputException', message, { Reason: reason });
}

function stringMember(
  input: Readonly<Record<string, unknown>>,
  name: string,
  required: boolean,
  pattern?: RegExp,
  max = 100,
): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
    return undefined;
  }
  if (typeof value !== 'string')
    throw new AwsServiceError('SerializationException', `Value for ${name} must be a string.`);
  if (value.length > max)
    throw invalidInput('MAX_LENGTH_EXCEEDED', `You provided a value for ${name} that is longer than allowed.`);
  if (pattern && !pattern.test(value))
    throw invalidInput('INVALID_PATTERN', `You specified a value for ${name} that doesn't match the required pattern.`);
  return value;
}

interface PageRequest {
  readonly offset: number;
  readonly size: number;
}

function pageRequest(input: Readonly<Record<string, unknown>>, binding: string): PageRequest {
  const max = input.MaxResults;
  let size = MAX_RESULTS;
  if (max !== undefined && max !== null) {
    if (typeof max !== 'number' || !Number.isInteger(max))
      throw new AwsServiceError('SerializationException', 'Value for MaxResults must be an integer.');
    if (max < 1)
      throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value for MaxResults that is smaller than allowed.');
    if (max > MAX_RESULTS)
      throw invalidInput('MAX_VALUE_EXCEEDED', 'You provided a value for MaxResults that is larger than allowed.');
    size = max;
  }
  const token = input.NextToken;
  if (token === undefined || token === null) return { offset: 0, size };
  if (typeof token !== 'string')
    throw new AwsServiceError('SerializationException', 'Value for NextToken must be a string.');
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { b?: unknown; o?: unknown };
    if (parsed.b === binding && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0)
      return { offset: parsed.o, size };
  } catch {
    // reported below
  }
  throw invalidInput('INVALID_NEXT_TOKEN', 'The specified pagination token is not valid.');
}

/**
 * One page of a List operation: `items` (shaped) under the output member `member`, and a NextToken bound to
 * `binding` (the operation and the parent it lists) when more remain.
 */
function listPage<T>(
  input: Readonly<Record<string, unknown>>,
  binding: string,
  member: string,
  items: readonly T[],
  shape: (item: T) => unknown = (item) => item,
): Record<string, unknown> {
  const req = pageRequest(input, binding);
  const next = req.offset + req.size;
  const out: Record<string, unknown> = { [member]: items.slice(req.offset, next).map(shape) };
  if (next < items.length)
    out.NextToken = Buffer.from(JSON.stringify({ b: binding, o: next }), 'utf8').toString('base64url');
  return out;
}

const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** `Tags: [{Key, Value}]`, refusing AWS's reserved `aws:` keys (Organizations: INVALID_SYSTEM_TAGS_PARAMETER). */
function tagsMember(input: Readonly<Record<string, unknown>>, required: boolean): Record<string, string> {
  const raw = input.Tags;
  if (raw === undefined || raw === null) {
    if (required) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for Tags.');
    return {};
  }
  if (!Array.isArray(raw)) throw new AwsServiceError('SerializationException', 'Value for Tags must be a list.');
  const out: Record<string, string> = {};
  for (const t of raw as unknown[]) {
    const tag = t as { Key?: unknown; Value?: unknown };
    if (typeof tag !== 'object' || tag === null || typeof tag.Key !== 'string' || typeof tag.Value !== 'string')
      throw invalidInput('INPUT_REQUIRED', 'You must specify a Key and a Value for each tag.');
    if (tag.Key.length < 1 || tag.Key.length > 128)
      throw invalidInput('MAX_LENGTH_EXCEEDED', 'You provided a value for Key that is longer than allowed.');
    if (tag.Value.length > 256)
      throw invalidInput('MAX_LENGTH_EXCEEDED', 'You provided a value for Value that is longer than allowed.');
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw invalidInput(
        'INVALID_SYSTEM_TAGS_PARAMETER',
        "You can't add, edit, or delete system tag keys because they're reserved for AWS use.",
      );
    if (tag.Key in out) throw invalidInput('DUPLICATE_TAG_KEY', 'You specified the same tag key more than once.');
    out[tag.Key] = tag.Value;
  }
  return out;
}

function stringList(input: Readonly<Record<string, unknown>>, name: string): string[] {
  const raw = input[name];
  if (raw === undefined || raw === null) throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string'))
    throw new AwsServiceError('SerializationException', `Value for ${name} must be a list of strings.`);
  return raw as string[];
}

function createAccountStatusShape(r: CreateAccountRequest): Record<string, unknown> {
  return {
    Id: r.id,
    AccountName: r.accountName,
    State: r.state,
    RequestedTimestamp: r.requestedAt / 1000,
    ...(r.completedAt !== undefined ? { CompletedTimestamp: r.completedAt / 1000 } : {}),
    ...(r.accountId !== undefined ? { AccountId: r.accountId } : {}),
    ...(r.failureReason !== undefined ? { FailureReason: r.failureReason } : {}),
  };
}

export function createOrganizationsRegistration(org: OrganizationStore): JsonServiceRegistration {
  const mgmt = org.managementAccountId;
  const orgId = org.organizationId;
  const arn = (kind: string, id: string): string => `arn:aws:organizations::${mgmt}:${kind}/${orgId}/${id}`;
  const pathOf = (parentId: string): string => org.pathOf(parentId);

  const accountShape = (a: WorldAccount): Record<string, unknown> => ({
    Id: a.id,
    Arn: arn('account', a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    Paths: [`${pathOf(a.parentId)}${a.id}/`],
    JoinedMethod: a.joinedMethod,
    // awsJson timestamps are epoch seconds.
    JoinedTimestamp: a.joinedTimestamp / 1000,
  });
  const ouShape = (ou: WorldOu): Record<string, unknown> => ({
    Id: ou.id,
    Arn: arn('ou', ou.id),
    Name: ou.name,
    Path: `${pathOf(ou.id)}`,
  });

  const requireManagement = (caller: CallerContext): void => {
    if (caller.accountId !== mgmt)
      throw orgError('AccessDeniedException', "You don't have permissions to access this resource.");
  };
  const requireParent = (parentId: string): void => {
    if (!org.hasParent(parentId))
      throw orgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
  };
  const requireTags = (id: string): Readonly<Record<string, string>> => {
    const tags = org.tagsOf(id);
    if (!tags)
      throw orgError(
        'TargetNotFoundException',
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
      );
    return tags;
  };
  const managed =
    (fn: (input: Readonly<Record<string, unknown>>) => unknown): JsonOperation =>
    (input, caller) => {
      requireManagement(caller);
      return fn(input);
    };

  const operations: Record<string, JsonOperation> = {
    DescribeOrganization: () => {
      const management = org.getAccount(mgmt);
      return {
        Organization: {
          Id: orgId,
          Arn: `arn:aws:organizations::${mgmt}:organization/${orgId}`,
          FeatureSet: org.featureSet,
          MasterAccountArn: arn('account', mgmt),
          MasterAccountId: mgmt,
          MasterAccountEmail: management?.email,
          AvailablePolicyTypes: [],
        },
      };
    },
    ListRoots: managed((input) =>
      listPage(input, 'ListRoots', 'Roots', [
        { Id: org.rootId, Arn: arn('root', org.rootId), Name: 'Root', PolicyTypes: [] },
      ]),
    ),
    ListOrganizationalUnitsForParent: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      requireParent(parentId);
      const ous = org.organizationalUnits().filter((ou) => ou.parentId === parentId);
      return listPage(input, `ListOrganizationalUnitsForParent/${parentId}`, 'OrganizationalUnits', ous, ouShape);
    }),
    ListAccounts: managed((input) => listPage(input, 'ListAccounts', 'Accounts', org.listAccounts(), accountShape)),
    ListAccountsForParent: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      requireParent(parentId);
      const accounts = org.listAccounts().filter((a) => a.parentId === parentId);
      return listPage(input, `ListAccountsForParent/${parentId}`, 'Accounts', accounts, accountShape);
    }),
    DescribeOrganizationalUnit: managed((input) => {
      const id = stringMember(input, 'OrganizationalUnitId', true, OU_ID) as string;
      return { OrganizationalUnit: ouShape(org.requireOu(id)) };
    }),
    DescribeAccount: managed((input) => {
      const id = stringMember(input, 'AccountId', true, ACCOUNT_ID) as string;
      const account = org.getAccount(id);
      if (!account) throw orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountShape(account) };
    }),
    ListParents: managed((input) => {
      const childId = stringMember(input, 'ChildId', true, CHILD_ID) as string;
      const parentId = ACCOUNT_ID.test(childId) ? org.getAccount(childId)?.parentId : org.getOu(childId)?.parentId;
      if (!parentId)
        throw orgError(
          'ChildNotFoundException',
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      return listPage(input, `ListParents/${childId}`, 'Parents', [
        { Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' },
      ]);
    }),
    ListChildren: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      const childType = stringMember(input, 'ChildType', true, /^(ACCOUNT|ORGANIZATIONAL_UNIT)$/) as string;
      requireParent(parentId);
      const ids =
        childType === 'ACCOUNT'
          ? org
              .listAccounts()
              .filter((a) => a.parentId === parentId)
              .map((a) => a.id)
          : org
              .organizationalUnits()
              .filter((ou) => ou.parentId === parentId)
              .map((ou) => ou.id);
      return listPage(input, `ListChildren/${parentId}/${childType}`, 'Children', ids, (Id) => ({
        Id,
        Type: childType,
      }));
    }),
    ListTagsForResource: managed((input) => {
      const id = stringMember(input, 'ResourceId', true, RESOURCE_ID, 130) as string;
      const tags = org.tagsOf(id);
      if (!tags)
        throw orgError(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or policy with the TargetId that you specified.",
        );
      return listPage(input, `ListTagsForResource/${id}`, 'Tags', Object.entries(tags), ([Key, Value]) => ({
        Key,
        Value,
      }));
    }),

    CreateAccount: managed((input) => {
      const email = stringMember(input, 'Email', true, EMAIL, 64) as string;
      const accountName = stringMember(input, 'AccountName', true, /^[\u0020-\u007E]+$/, 50) as string;
      const roleName = stringMember(input, 'RoleName', false, ROLE_NAME, 64) ?? 'OrganizationAccountAccessRole';
      // Billing access is not emulated; the member is still checked against the model.
      stringMember(input, 'IamUserAccessToBilling', false, /^(ALLOW|DENY)$/);
      const tags = tagsMember(input, false);
      return {
        CreateAccountStatus: createAccountStatusShape(org.createAccount({ accountName, email, roleName, tags })),
      };
    }),
    DescribeCreateAccountStatus: managed((input) => {
      const id = stringMember(input, 'CreateAccountRequestId', true, /^car-[a-z0-9]{8,32}$/, 36) as string;
      const r = org.createAccountStatus(id);
      if (!r)
        throw orgError(
          'CreateAccountStatusNotFoundException',
          "We can't find an create account request with the CreateAccountRequestId that you specified.",
        );
      return { CreateAccountStatus: createAccountStatusShape(r) };
    }),
    ListCreateAccountStatus: managed((input) => {
      const states = input.States === undefined ? undefined : stringList(input, 'States');
      for (const s of states ?? [])
        if (!/^(IN_PROGRESS|SUCCEEDED|FAILED)$/.test(s))
          throw invalidInput('INVALID_ENUM', 'You specified an invalid value for States.');
      const all = org.createAccountStatuses().filter((r) => !states || states.includes(r.state));
      return listPage(
        input,
        `ListCreateAccountStatus/${(states ?? []).join(',')}`,
        'CreateAccountStatuses',
        all,
        createAccountStatusShape,
      );
    }),
    MoveAccount: managed((input) => {
      const accountId = stringMember(input, 'AccountId', true, ACCOUNT_ID) as string;
      const source = stringMember(input, 'SourceParentId', true, PARENT_ID) as string;
      const destination = stringMember(input, 'DestinationParentId', true, PARENT_ID) as string;
      org.moveAccount(accountId, source, destination);
      return {};
    }),
    CreateOrganizationalUnit: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      const name = stringMember(input, 'Name', true, undefined, 128) as string;
      if (name.length < 1)
        throw invalidInput('MIN_LENGTH_EXCEEDED', 'You provided a value for Name that is shorter than allowed.');
      const tags = tagsMember(input, false);
      return { OrganizationalUnit: ouShape(org.createOu(parentId, name, tags)) };
    }),
    UpdateOrganizationalUnit: managed((input) => {
      const id = stringMember(input, 'OrganizationalUnitId', true, OU_ID) as string;
      const name = stringMember(input, 'Name', false, undefined, 128);
      return { OrganizationalUnit: ouShape(org.updateOu(id, name)) };
    }),
    DeleteOrganizationalUnit: managed((input) => {
      const id = stringMember(input, 'OrganizationalUnitId', true, OU_ID) as string;
      org.deleteOu(id);
      return {};
    }),
    TagResource: managed((input) => {
      const id = stringMember(input, 'ResourceId', true, RESOURCE_ID, 130) as string;
      const tags = tagsMember(input, true);
      const existing = requireTags(id);
      const merged = { ...existing, ...tags };
      if (Object.keys(merged).length > 50)
        throw orgError(
          'ConstraintViolationException',
          'You have exceeded the maximum number of tags allowed on this resource.',
          {
            Reason: 'MAX_TAG_LIMIT_EXCEEDED',
          },
        );
      org.setTags(id, merged);
      return {};
    }),
    UntagResource: managed((input) => {
      const id = stringMember(input, 'ResourceId', true, RESOURCE_ID, 130) as string;
      const keys = stringList(input, 'TagKeys');
      if (keys.some((k) => k.toLowerCase().startsWith('aws:')))
        throw invalidInput(
          'INVALID_SYSTEM_TAGS_PARAMETER',
          "You can't add, edit, or delete system tag keys because they're reserved for AWS use.",
        );
      const remaining = { ...requireTags(id) };
      for (const k of keys) delete remaining[k];
      org.setTags(id, remaining);
      return {};
    }),
  };

  return { kind: 'json', targetPrefix: ORGANIZATIONS_TARGET_PREFIX, signingName: 'organizations', operations };
}
