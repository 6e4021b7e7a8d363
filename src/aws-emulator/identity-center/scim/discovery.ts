import { ENTERPRISE_SCHEMA, USER_SCHEMA } from './user-schema.js';
import { GROUP_SCHEMA } from './group-schema.js';

/**
 * Read-only discovery documents ([doc] SCIMDG serviceproviderconfig, listresourcetypes, listschemas; the
 * tail of ServiceProviderConfig is [unconfirmed] and filled with the values the SCIM Implementation Developer Guide,
 * "ServiceProviderConfig", suggests).
 */
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function serviceProviderConfig(): object {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html',
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        documentationUri: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html',
        primary: true,
      },
    ],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 1, maxPayloadSize: 1048576 },
    filter: { supported: true, maxResults: 100 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
  };
}

const resourceTypes = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: true }],
    meta: { resourceType: 'ResourceType' },
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: GROUP_SCHEMA,
    meta: { resourceType: 'ResourceType' },
  },
];

export function listResourceTypes(): object {
  return {
    schemas: [LIST],
    totalResults: resourceTypes.length,
    itemsPerPage: resourceTypes.length,
    startIndex: 1,
    Resources: resourceTypes,
  };
}

type Attr = {
  name: string;
  type: string;
  multiValued?: boolean;
  required?: boolean;
  mutability?: string;
  uniqueness?: string;
  subAttributes?: Attr[];
};
const a = (name: string, extra: Partial<Attr> = {}): Attr => ({ name, type: 'string', ...extra });
const expand = (x: Attr): object => ({
  name: x.name,
  type: x.type,
  multiValued: x.multiValued ?? false,
  description: '',
  required: x.required ?? false,
  caseExact: false,
  mutability: x.mutability ?? 'readWrite',
  returned: 'default',
  uniqueness: x.uniqueness ?? 'none',
  ...(x.subAttributes ? { subAttributes: x.subAttributes.map(expand) } : {}),
});

const schemaDocs: Record<string, { name: string; attributes: Attr[] }> = {
  [USER_SCHEMA]: {
    name: 'User',
    attributes: [
      a('userName', { required: true, uniqueness: 'server' }),
      a('name', {
        type: 'complex',
        required: true,
        subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map(
          (n) => a(n, { required: n === 'familyName' || n === 'givenName' }),
        ),
      }),
      a('displayName', { required: true }),
      a('nickName'),
      a('profileUrl', { type: 'reference' }),
      a('title'),
      a('userType'),
      a('preferredLanguage'),
      a('locale'),
      a('timezone'),
      a('active', { type: 'boolean' }),
      a('emails', {
        type: 'complex',
        multiValued: true,
        subAttributes: [a('value'), a('type'), a('primary', { type: 'boolean' })],
      }),
      a('phoneNumbers', { type: 'complex', multiValued: true, subAttributes: [a('value'), a('type')] }),
      a('addresses', {
        type: 'complex',
        multiValued: true,
        subAttributes: ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type']
          .map((n) => a(n))
          .concat([a('primary', { type: 'boolean' })]),
      }),
      a('roles', {
        type: 'complex',
        multiValued: true,
        subAttributes: [a('value'), a('type'), a('primary', { type: 'boolean' })],
      }),
    ],
  },
  [GROUP_SCHEMA]: {
    name: 'Group',
    attributes: [
      a('displayName', { required: true, uniqueness: 'server' }),
      a('members', { type: 'complex', multiValued: true, subAttributes: [a('value')] }),
    ],
  },
  [ENTERPRISE_SCHEMA]: {
    name: 'EnterpriseUser',
    attributes: [
      a('employeeNumber'),
      a('costCenter'),
      a('organization'),
      a('division'),
      a('department'),
      a('manager', { type: 'complex', subAttributes: [a('value')] }),
    ],
  },
};

export function getSchema(id: string): object | undefined {
  const doc = Object.hasOwn(schemaDocs, id) ? schemaDocs[id] : undefined;
  if (!doc) return undefined;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name: doc.name,
    description: doc.name,
    attributes: doc.attributes.map(expand),
    meta: { resourceType: 'Schema' },
  };
}

export function listSchemas(): object {
  const all = Object.keys(schemaDocs).map((id) => getSchema(id) as object);
  return { schemas: [LIST], totalResults: all.length, itemsPerPage: all.length, startIndex: 1, Resources: all };
}
