/**
 * AWS Organizations on JSON 1.1 (`AWSOrganizationsV20161128.*`), read-only over the world's organisation.
 * Only the management account may call the list/describe operations (DescribeOrganization is open to every
 * member, as in AWS). List pages hold at most 20 entries (MaxResults 1–20) and NextToken is bound to the
 * operation and parent it came from.
 */
import type { CallerContext, JsonOperation, JsonServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { World, WorldAccount, WorldOu } from '../world/world.js';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';

const MAX_RESULTS = 20;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const CHILD_ID = /^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ACCOUNT_ID = /^\d{12}$/;
const RESOURCE_ID =
  /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|p-[0-9a-zA-Z_]{8,128}|rp-[0-9a-zA-Z_]{4,128}|rt-[0-9a-zA-Z_]{8,32})$/;

function orgError(code: string, message: string, extra: Record<string, unknown> = {}): AwsServiceError {
  return new AwsServiceError(code, message, 400, 'Sender', { Message: message, ...extra });
}

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

export function createOrganizationsRegistration(world: World): JsonServiceRegistration {
  const mgmt = world.managementAccountId;
  const orgId = world.organizationId;
  const ouById = new Map(world.organizationalUnits.map((ou) => [ou.id, ou]));
  const arn = (kind: string, id: string): string => `arn:aws:organizations::${mgmt}:${kind}/${orgId}/${id}`;

  const pathOf = (parentId: string): string => {
    const chain: string[] = [];
    for (let id: string | undefined = parentId, guard = 0; id && id !== world.rootId && guard < 1000; guard++) {
      chain.unshift(id);
      id = ouById.get(id)?.parentId;
    }
    return `${orgId}/${world.rootId}/${chain.map((c) => `${c}/`).join('')}`;
  };

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
    if (parentId !== world.rootId && !ouById.has(parentId))
      throw orgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
  };
  const managed =
    (fn: (input: Readonly<Record<string, unknown>>) => unknown): JsonOperation =>
    (input, caller) => {
      requireManagement(caller);
      return fn(input);
    };

  const operations: Record<string, JsonOperation> = {
    DescribeOrganization: () => {
      const management = world.getAccount(mgmt);
      return {
        Organization: {
          Id: orgId,
          Arn: `arn:aws:organizations::${mgmt}:organization/${orgId}`,
          FeatureSet: world.featureSet,
          MasterAccountArn: arn('account', mgmt),
          MasterAccountId: mgmt,
          MasterAccountEmail: management?.email,
          AvailablePolicyTypes: [],
        },
      };
    },
    ListRoots: managed((input) =>
      listPage(input, 'ListRoots', 'Roots', [
        { Id: world.rootId, Arn: arn('root', world.rootId), Name: 'Root', PolicyTypes: [] },
      ]),
    ),
    ListOrganizationalUnitsForParent: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      requireParent(parentId);
      const ous = world.organizationalUnits.filter((ou) => ou.parentId === parentId);
      return listPage(input, `ListOrganizationalUnitsForParent/${parentId}`, 'OrganizationalUnits', ous, ouShape);
    }),
    ListAccounts: managed((input) => listPage(input, 'ListAccounts', 'Accounts', world.worldAccounts, accountShape)),
    ListAccountsForParent: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      requireParent(parentId);
      const accounts = world.worldAccounts.filter((a) => a.parentId === parentId);
      return listPage(input, `ListAccountsForParent/${parentId}`, 'Accounts', accounts, accountShape);
    }),
    DescribeOrganizationalUnit: managed((input) => {
      const id = stringMember(input, 'OrganizationalUnitId', true, /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/) as string;
      const ou = ouById.get(id);
      if (!ou)
        throw orgError(
          'OrganizationalUnitNotFoundException',
          "We can't find an OU with the OrganizationalUnitId that you specified.",
        );
      return { OrganizationalUnit: ouShape(ou) };
    }),
    DescribeAccount: managed((input) => {
      const id = stringMember(input, 'AccountId', true, ACCOUNT_ID) as string;
      const account = world.getAccount(id);
      if (!account) throw orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountShape(account) };
    }),
    ListParents: managed((input) => {
      const childId = stringMember(input, 'ChildId', true, CHILD_ID) as string;
      const parentId = ACCOUNT_ID.test(childId) ? world.getAccount(childId)?.parentId : ouById.get(childId)?.parentId;
      if (!parentId)
        throw orgError(
          'ChildNotFoundException',
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      return listPage(input, `ListParents/${childId}`, 'Parents', [
        { Id: parentId, Type: parentId === world.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' },
      ]);
    }),
    ListChildren: managed((input) => {
      const parentId = stringMember(input, 'ParentId', true, PARENT_ID) as string;
      const childType = stringMember(input, 'ChildType', true, /^(ACCOUNT|ORGANIZATIONAL_UNIT)$/) as string;
      requireParent(parentId);
      const ids =
        childType === 'ACCOUNT'
          ? world.worldAccounts.filter((a) => a.parentId === parentId).map((a) => a.id)
          : world.organizationalUnits.filter((ou) => ou.parentId === parentId).map((ou) => ou.id);
      return listPage(input, `ListChildren/${parentId}/${childType}`, 'Children', ids, (Id) => ({
        Id,
        Type: childType,
      }));
    }),
    ListTagsForResource: managed((input) => {
      const id = stringMember(input, 'ResourceId', true, RESOURCE_ID, 130) as string;
      const tags =
        id === world.rootId ? world.rootTags : ACCOUNT_ID.test(id) ? world.getAccount(id)?.tags : ouById.get(id)?.tags;
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
  };

  return { kind: 'json', targetPrefix: ORGANIZATIONS_TARGET_PREFIX, signingName: 'organizations', operations };
}
