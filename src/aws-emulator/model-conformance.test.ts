/**
 * Checks the emulator against AWS's own service models (botocore service-2.json, shipped by the Debian awscli
 * package and by newer botocore installs): every implemented operation exists, every member a response carries
 * is a member of the model's output shape (recursively, required members present), and every error code sent is
 * one the model lists for that operation or one of AWS's common errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createIamRegistration } from './iam/iam-service.js';
import { IamStore } from './iam/iam-store.js';
import { createOrganizationsRegistration } from './organizations/organizations-service.js';
import { OrganizationStore } from './organizations/org-store.js';
import { createStsRegistration } from './sts/sts-service.js';
import { createMemoryStateStore } from './state/state-store.js';
import { silentLogger } from './log.js';
import { startEmulator } from './start.js';
import type { RunningEmulator } from './start.js';
import { buildWorld } from './world/world.js';
import { AWS_SERVICE_MODELS, BOTOCORE_MODELS, missingPeers } from '../testing/index.js';
import { fixtureMetadata, fixtureResponseXml, makeFixtureKey, toBase64 } from './saml-sp/fixture-idp.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string }>;
  member?: { shape: string; locationName?: string };
  flattened?: boolean;
  required?: string[];
  error?: { code?: string; httpStatusCode?: number };
}
interface Model {
  metadata: Record<string, string>;
  operations: Record<string, { output?: { shape: string; resultWrapper?: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
}

function modelFiles(service: string, version: string): string[] {
  const files = [
    join(AWS_SERVICE_MODELS, service, version, 'service-2.json'),
    join(BOTOCORE_MODELS, service, version, 'service-2.json'),
  ];
  const pyenv = '/root/.pyenv/versions';
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv)) {
      const lib = join(pyenv, v, 'lib');
      if (!existsSync(lib)) continue;
      for (const py of readdirSync(lib))
        files.push(join(lib, py, 'site-packages/botocore/data', service, version, 'service-2.json.gz'));
    }
  }
  return files.filter((f) => existsSync(f));
}

function loadModels(service: string, version: string): Model[] {
  return modelFiles(service, version).map(
    (f) =>
      JSON.parse(f.endsWith('.gz') ? gunzipSync(readFileSync(f)).toString('utf8') : readFileSync(f, 'utf8')) as Model,
  );
}

const skip = missingPeers('aws-models', 'botocore');

const models: Record<string, Model[]> = {};
let emulator: RunningEmulator;
const problems: string[] = [];
const errorsSeen: { service: string; op: string; code: string; status: number }[] = [];
/** `service.Operation` of every call answered 200, to prove each registered operation was checked. */
const answered = new Set<string>();

/** Common errors every AWS Query/JSON service may answer (AWS API reference, "Common Errors"). */
const COMMON = new Set([
  'ValidationError',
  'InvalidAction',
  'MissingAction',
  'MissingParameter',
  'InvalidParameterValue',
  'MalformedQueryString',
  'NoSuchVersion',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'AccessDenied',
  'InternalFailure',
  'ServiceUnavailable',
  'Throttling',
  'RequestExpired',
  'UnknownOperationException',
  'SerializationException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

/** The union of a shape's members across the model versions found. */
function shapeOf(service: string, name: string): Shape | undefined {
  const found = (models[service] ?? []).map((m) => m.shapes[name]).filter((s): s is Shape => s !== undefined);
  if (found.length === 0) return undefined;
  const merged: Shape = { ...(found[0] as Shape), members: {} };
  for (const s of found) Object.assign(merged.members as object, s.members ?? {});
  merged.required = found[0]?.required ?? [];
  return merged;
}

function elementChildren(e: Element): Element[] {
  const out: Element[] = [];
  for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function checkXml(service: string, shapeName: string, e: Element, at: string): void {
  const shape = shapeOf(service, shapeName);
  if (!shape) return void problems.push(`${at}: no shape ${shapeName}`);
  const children = elementChildren(e);
  if (shape.type === 'structure') {
    const byName = new Map(Object.entries(shape.members ?? {}).map(([k, v]) => [v.locationName ?? k, v]));
    for (const c of children) {
      const member = byName.get(c.localName ?? '');
      if (!member) problems.push(`${at}: ${c.localName} is not a member of ${shapeName}`);
      else checkXml(service, member.shape, c, `${at}.${c.localName}`);
    }
    for (const r of shape.required ?? [])
      if (!children.some((c) => c.localName === r)) problems.push(`${at}: required ${r} missing from ${shapeName}`);
  } else if (shape.type === 'list') {
    for (const c of children) {
      if (c.localName !== (shape.member?.locationName ?? 'member')) problems.push(`${at}: list item <${c.localName}>`);
      else checkXml(service, shape.member?.shape ?? '', c, `${at}[]`);
    }
  } else if (children.length > 0) {
    problems.push(`${at}: scalar ${shapeName} has element children`);
  } else if (shape.type === 'timestamp' && Number.isNaN(Date.parse(e.textContent ?? ''))) {
    problems.push(`${at}: timestamp ${e.textContent}`);
  } else if (shape.type === 'boolean' && !/^(true|false)$/.test(e.textContent ?? '')) {
    problems.push(`${at}: boolean ${e.textContent}`);
  } else if ((shape.type === 'integer' || shape.type === 'long') && !/^-?\d+$/.test(e.textContent ?? '')) {
    problems.push(`${at}: integer ${e.textContent}`);
  }
}

function checkJson(service: string, shapeName: string, value: unknown, at: string): void {
  const shape = shapeOf(service, shapeName);
  if (!shape) return void problems.push(`${at}: no shape ${shapeName}`);
  if (shape.type === 'structure') {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return void problems.push(`${at}: not an object`);
    for (const [k, v] of Object.entries(value)) {
      const member = shape.members?.[k];
      if (!member) problems.push(`${at}: ${k} is not a member of ${shapeName}`);
      else checkJson(service, member.shape, v, `${at}.${k}`);
    }
    for (const r of shape.required ?? []) if (!(r in value)) problems.push(`${at}: required ${r} missing`);
  } else if (shape.type === 'list') {
    if (!Array.isArray(value)) return void problems.push(`${at}: not an array`);
    for (const [i, v] of value.entries()) checkJson(service, shape.member?.shape ?? '', v, `${at}[${i}]`);
  } else if (shape.type === 'timestamp' && typeof value !== 'number') {
    problems.push(`${at}: awsJson timestamps are epoch seconds, got ${JSON.stringify(value)}`);
  } else if (shape.type === 'string' && typeof value !== 'string') {
    problems.push(`${at}: expected a string`);
  }
}

async function send(
  service: 'iam' | 'sts' | 'organizations',
  op: string,
  input: Record<string, string> | Record<string, unknown>,
  accountId = '111111111111',
): Promise<void> {
  const url = new URL(emulator.url);
  const json = service === 'organizations';
  const body = json
    ? JSON.stringify(input)
    : new URLSearchParams({
        Action: op,
        Version: service === 'iam' ? '2010-05-08' : '2011-06-15',
        ...(input as Record<string, string>),
      }).toString();
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': json ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded',
    ...(json ? { 'x-amz-target': `AWSOrganizationsV20161128.${op}` } : {}),
  };
  const signer = new SignatureV4({
    credentials: emulator.rootCredentials(accountId),
    region: 'us-east-1',
    service,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    path: '/',
    query: {},
    headers,
    body,
  });
  const { host: _h, ...sendHeaders } = signed.headers;
  const res = await fetch(emulator.url, { method: 'POST', headers: sendHeaders, body });
  const text = await res.text();
  const model = (models[service] ?? [])[0] as Model;
  const opModel = model.operations[op];
  if (!opModel) return void problems.push(`${service}.${op}: not in the model`);
  if (res.status !== 200) {
    const code = json
      ? (JSON.parse(text) as { __type: string }).__type
      : (/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '');
    errorsSeen.push({ service, op, code, status: res.status });
    return;
  }
  answered.add(`${service}.${op}`);
  if (json) {
    if (opModel.output) checkJson(service, opModel.output.shape, JSON.parse(text), `${op}`);
    return;
  }
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  const root = doc.documentElement as Element;
  if (root.localName !== `${op}Response`) problems.push(`${op}: root ${root.localName}`);
  if (root.namespaceURI !== model.metadata.xmlNamespace) problems.push(`${op}: namespace ${root.namespaceURI}`);
  const result = elementChildren(root).find((c) => c.localName === `${op}Result`);
  // botocore reads the wrapper of every operation with an output shape, even an empty one (UpdateRoleResult).
  if (opModel.output?.resultWrapper && !result) problems.push(`${op}: <${opModel.output.resultWrapper}> missing`);
  if (opModel.output?.resultWrapper && result) checkXml(service, opModel.output.shape, result, op);
  if (result && opModel.output?.resultWrapper !== `${op}Result`) problems.push(`${op}: unexpected ${op}Result`);
}

async function jsonCall(op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const url = new URL(emulator.url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    credentials: emulator.rootCredentials('111111111111'),
    region: 'us-east-1',
    service: 'organizations',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSOrganizationsV20161128.${op}`,
    },
    body,
  });
  const { host: _h, ...headers } = signed.headers;
  return (await (await fetch(emulator.url, { method: 'POST', headers, body })).json()) as Record<string, unknown>;
}

async function listOus(): Promise<{ Id: string; Name: string }[]> {
  const out = await jsonCall('ListOrganizationalUnitsForParent', { ParentId: 'r-kw01' });
  return out.OrganizationalUnits as { Id: string; Name: string }[];
}

async function createAccountRequestId(): Promise<string> {
  const out = await jsonCall('ListCreateAccountStatus', {});
  return (out.CreateAccountStatuses as { Id: string }[])[0]?.Id ?? '';
}

before(async () => {
  if (skip) return;
  models.iam = loadModels('iam', '2010-05-08');
  models.sts = loadModels('sts', '2011-06-15');
  models.organizations = loadModels('organizations', '2016-11-28');
  for (const [service, found] of Object.entries(models)) {
    if (found.length === 0)
      throw new Error(
        `no botocore model for ${service} under ${AWS_SERVICE_MODELS} (install the Debian awscli package)`,
      );
  }
  emulator = await startEmulator({ logger: silentLogger, registrations: [], createAccountDelayMs: 0 });
});

after(async () => {
  await emulator?.close();
});

describe('conformance with the AWS service models', { skip }, () => {
  test('every IAM, STS and Organizations operation and routing key the emulator registers exists in the model', () => {
    const world = buildWorld({
      organization: { id: 'o-abcdefghij', rootId: 'r-ab12', managementAccountId: '111111111111' },
      accounts: [{ id: '111111111111', name: 'M', email: 'm@example.com' }],
    });
    const iam = createIamRegistration(new IamStore(createMemoryStateStore(), Date.now));
    const sts = createStsRegistration({
      assumeRoleWithSaml: () => '',
      assumeRole: () => '',
      getSessionToken: () => '',
    });
    const orgs = createOrganizationsRegistration(
      new OrganizationStore(world, createMemoryStateStore(), Date.now, 0, () => undefined),
    );
    for (const [service, reg, ops] of [
      ['iam', iam, Object.keys(iam.operations)],
      ['sts', sts, Object.keys(sts.operations)],
      ['organizations', orgs, Object.keys(orgs.operations)],
    ] as const) {
      const model = (models[service] ?? [])[0] as Model;
      for (const op of ops) assert.ok(model.operations[op], `${service}.${op} is not in the model`);
      assert.equal(reg.signingName, model.metadata.signingName ?? model.metadata.endpointPrefix);
      if (reg.kind === 'query') {
        assert.equal(reg.version, model.metadata.apiVersion);
        assert.equal(reg.xmlNamespace, model.metadata.xmlNamespace);
      } else {
        assert.equal(reg.targetPrefix, model.metadata.targetPrefix);
      }
    }
    assert.deepEqual([...sts.unsignedActions], ['AssumeRoleWithSAML']);
  });

  test('responses carry only model members, with required members present', async () => {
    const metadata = (cert: string) =>
      `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.test/model"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    const cert = CERT;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111111111111:saml-provider/M' },
          Action: 'sts:AssumeRoleWithSAML',
        },
      ],
    });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    });
    const provider = 'arn:aws:iam::111111111111:saml-provider/M';
    const calls: ['iam' | 'sts' | 'organizations', string, Record<string, unknown>][] = [
      [
        'iam',
        'CreateSAMLProvider',
        { Name: 'M', SAMLMetadataDocument: metadata(cert), 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
      ],
      ['iam', 'GetSAMLProvider', { SAMLProviderArn: provider }],
      ['iam', 'ListSAMLProviders', {}],
      ['iam', 'UpdateSAMLProvider', { SAMLProviderArn: provider, SAMLMetadataDocument: metadata(cert) }],
      [
        'iam',
        'CreateRole',
        {
          RoleName: 'R',
          Path: '/p/',
          AssumeRolePolicyDocument: trust,
          Description: 'd',
          'Tags.member.1.Key': 'k',
          'Tags.member.1.Value': 'v',
          PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
        },
      ],
      ['iam', 'GetRole', { RoleName: 'R' }],
      ['iam', 'ListRoles', { MaxItems: '1' }],
      ['iam', 'UpdateRole', { RoleName: 'R', MaxSessionDuration: '7200' }],
      ['iam', 'UpdateAssumeRolePolicy', { RoleName: 'R', PolicyDocument: trust }],
      ['iam', 'TagRole', { RoleName: 'R', 'Tags.member.1.Key': 'k2', 'Tags.member.1.Value': 'v2' }],
      ['iam', 'ListRoleTags', { RoleName: 'R' }],
      ['iam', 'UntagRole', { RoleName: 'R', 'TagKeys.member.1': 'k2' }],
      ['iam', 'PutRolePolicy', { RoleName: 'R', PolicyName: 'P', PolicyDocument: policy }],
      ['iam', 'GetRolePolicy', { RoleName: 'R', PolicyName: 'P' }],
      ['iam', 'ListRolePolicies', { RoleName: 'R' }],
      ['iam', 'AttachRolePolicy', { RoleName: 'R', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      ['iam', 'ListAttachedRolePolicies', { RoleName: 'R' }],
      [
        'iam',
        'CreatePolicy',
        {
          PolicyName: 'C',
          PolicyDocument: policy,
          Description: 'c',
          'Tags.member.1.Key': 'k',
          'Tags.member.1.Value': 'v',
        },
      ],
      ['iam', 'GetPolicy', { PolicyArn: 'arn:aws:iam::111111111111:policy/C' }],
      ['iam', 'GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/job-function/Billing' }],
      ['iam', 'ListPolicies', { Scope: 'All', MaxItems: '3' }],
      ['iam', 'DetachRolePolicy', { RoleName: 'R', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      ['iam', 'DeleteRolePolicy', { RoleName: 'R', PolicyName: 'P' }],
      ['iam', 'DeletePolicy', { PolicyArn: 'arn:aws:iam::111111111111:policy/C' }],
      ['iam', 'DeleteRole', { RoleName: 'R' }],
      ['iam', 'DeleteSAMLProvider', { SAMLProviderArn: provider }],
      ['sts', 'GetCallerIdentity', {}],
      ['organizations', 'DescribeOrganization', {}],
      ['organizations', 'ListRoots', {}],
      ['organizations', 'ListOrganizationalUnitsForParent', { ParentId: 'ou-kw01-workload' }],
      ['organizations', 'ListAccounts', { MaxResults: 2 }],
      ['organizations', 'ListAccountsForParent', { ParentId: 'ou-kw01-nonprodx' }],
      ['organizations', 'DescribeAccount', { AccountId: '333333333333' }],
      ['organizations', 'DescribeOrganizationalUnit', { OrganizationalUnitId: 'ou-kw01-prodenvs' }],
      ['organizations', 'ListParents', { ChildId: '333333333333' }],
      ['organizations', 'ListChildren', { ParentId: 'r-kw01', ChildType: 'ORGANIZATIONAL_UNIT' }],
      ['organizations', 'ListTagsForResource', { ResourceId: '333333333333' }],
    ];
    for (const [service, op, input] of calls) await send(service, op, input);
    assert.deepEqual(errorsSeen, [], 'every scripted call succeeds');
    assert.deepEqual(problems, []);
  });

  test('every emulated IAM, STS and Organizations operation answers the model shape, with its Result wrapper', async () => {
    errorsSeen.length = 0;
    problems.length = 0;
    const key = makeFixtureKey('conformance-idp');
    const idp = 'https://idp.test/conformance';
    const fed = 'arn:aws:iam::111111111111:saml-provider/Fed';
    const doc = (statement: Record<string, unknown>): string =>
      JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    const identity = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const pol = 'arn:aws:iam::111111111111:policy/V';
    await send('iam', 'CreateSAMLProvider', { Name: 'Fed', SAMLMetadataDocument: fixtureMetadata(idp, [key]) });
    await send('iam', 'CreateRole', {
      RoleName: 'Fed',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Federated: fed },
        Action: 'sts:AssumeRoleWithSAML',
      }),
    });
    await send('iam', 'CreateRole', {
      RoleName: 'Acct',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    });
    const saml = toBase64(
      fixtureResponseXml(
        {
          issuer: idp,
          nameId: 'alice',
          audiences: ['urn:amazon:webservices'],
          attributes: [
            ['https://aws.amazon.com/SAML/Attributes/Role', [`arn:aws:iam::111111111111:role/Fed,${fed}`]],
            ['https://aws.amazon.com/SAML/Attributes/RoleSessionName', ['alice']],
          ],
        },
        key,
      ),
    );
    const calls: ['iam' | 'sts' | 'organizations', string, Record<string, unknown>][] = [
      ['iam', 'UpdateRole', { RoleName: 'Acct', Description: 'x' }],
      ['iam', 'UpdateRoleDescription', { RoleName: 'Acct', Description: 'y' }],
      [
        'iam',
        'PutRolePermissionsBoundary',
        { RoleName: 'Acct', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      ],
      ['iam', 'DeleteRolePermissionsBoundary', { RoleName: 'Acct' }],
      ['iam', 'ListInstanceProfilesForRole', { RoleName: 'Acct' }],
      ['iam', 'TagSAMLProvider', { SAMLProviderArn: fed, 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }],
      ['iam', 'ListSAMLProviderTags', { SAMLProviderArn: fed }],
      ['iam', 'UntagSAMLProvider', { SAMLProviderArn: fed, 'TagKeys.member.1': 'k' }],
      ['iam', 'CreatePolicy', { PolicyName: 'V', PolicyDocument: identity }],
      ['iam', 'CreatePolicyVersion', { PolicyArn: pol, PolicyDocument: identity, SetAsDefault: 'true' }],
      ['iam', 'GetPolicyVersion', { PolicyArn: pol, VersionId: 'v2' }],
      ['iam', 'GetPolicyVersion', { PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess', VersionId: 'v1' }],
      ['iam', 'ListPolicyVersions', { PolicyArn: pol }],
      ['iam', 'SetDefaultPolicyVersion', { PolicyArn: pol, VersionId: 'v1' }],
      ['iam', 'DeletePolicyVersion', { PolicyArn: pol, VersionId: 'v2' }],
      ['iam', 'AttachRolePolicy', { RoleName: 'Acct', PolicyArn: pol }],
      ['iam', 'AttachRolePolicy', { RoleName: 'Acct', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }],
      ['iam', 'ListEntitiesForPolicy', { PolicyArn: pol }],
      ['iam', 'GetAccountAuthorizationDetails', {}],
      [
        'iam',
        'SimulatePrincipalPolicy',
        { PolicySourceArn: 'arn:aws:iam::111111111111:role/Acct', 'ActionNames.member.1': 's3:GetObject' },
      ],
      [
        'iam',
        'SimulateCustomPolicy',
        {
          'PolicyInputList.member.1': identity,
          'ActionNames.member.1': 's3:GetObject',
          'ResourceArns.member.1': 'arn:aws:s3:::b/k',
        },
      ],
      [
        'sts',
        'AssumeRoleWithSAML',
        { RoleArn: 'arn:aws:iam::111111111111:role/Fed', PrincipalArn: fed, SAMLAssertion: saml },
      ],
      [
        'sts',
        'AssumeRole',
        {
          RoleArn: 'arn:aws:iam::111111111111:role/Acct',
          RoleSessionName: 'shape',
          'Tags.member.1.Key': 't',
          'Tags.member.1.Value': 'v',
        },
      ],
      ['sts', 'GetSessionToken', { DurationSeconds: '900' }],
      [
        'organizations',
        'CreateAccount',
        { Email: 'shape@example.com', AccountName: 'Shape', Tags: [{ Key: 'k', Value: 'v' }] },
      ],
      ['organizations', 'ListCreateAccountStatus', {}],
      [
        'organizations',
        'CreateOrganizationalUnit',
        { ParentId: 'r-kw01', Name: 'Shape', Tags: [{ Key: 'k', Value: 'v' }] },
      ],
      [
        'organizations',
        'MoveAccount',
        { AccountId: '555555555555', SourceParentId: 'ou-kw01-nonprodx', DestinationParentId: 'r-kw01' },
      ],
      ['organizations', 'TagResource', { ResourceId: '555555555555', Tags: [{ Key: 'k', Value: 'v' }] }],
      ['organizations', 'UntagResource', { ResourceId: '555555555555', TagKeys: ['k'] }],
    ];
    for (const [service, op, input] of calls) await send(service, op, input);
    // Calls that need ids only the previous answers know.
    const ous = await listOus();
    const shapeOu = ous.find((o) => o.Name === 'Shape')?.Id ?? '';
    await send('organizations', 'UpdateOrganizationalUnit', { OrganizationalUnitId: shapeOu, Name: 'Shaped' });
    await send('organizations', 'DeleteOrganizationalUnit', { OrganizationalUnitId: shapeOu });
    const request = await createAccountRequestId();
    await send('organizations', 'DescribeCreateAccountStatus', { CreateAccountRequestId: request });
    assert.deepEqual(errorsSeen, [], 'every scripted call succeeds');
    assert.deepEqual(problems, []);

    const world = buildWorld({
      organization: { id: 'o-abcdefghij', rootId: 'r-ab12', managementAccountId: '111111111111' },
      accounts: [{ id: '111111111111', name: 'M', email: 'm@example.com' }],
    });
    const registered = [
      ...Object.keys(createIamRegistration(new IamStore(createMemoryStateStore(), Date.now)).operations).map(
        (o) => `iam.${o}`,
      ),
      ...Object.keys(
        createStsRegistration({ assumeRoleWithSaml: () => '', assumeRole: () => '', getSessionToken: () => '' })
          .operations,
      ).map((o) => `sts.${o}`),
      ...Object.keys(
        createOrganizationsRegistration(
          new OrganizationStore(world, createMemoryStateStore(), Date.now, 0, () => undefined),
        ).operations,
      ).map((o) => `organizations.${o}`),
    ];
    assert.deepEqual(
      registered.filter((op) => !answered.has(op)),
      [],
      'each registered operation was answered successfully and checked against its output shape',
    );
  });

  test('error codes and HTTP statuses are the ones the model declares for the operation (or common errors)', async () => {
    errorsSeen.length = 0;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
    });
    await send('iam', 'CreateRole', { RoleName: 'E', AssumeRolePolicyDocument: trust });
    await send('iam', 'PutRolePolicy', {
      RoleName: 'E',
      PolicyName: 'P',
      PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    });
    errorsSeen.length = 0;
    const failing: ['iam' | 'organizations', string, Record<string, unknown>, string?][] = [
      ['iam', 'GetRole', { RoleName: 'Missing' }],
      ['iam', 'CreateRole', { RoleName: 'E', AssumeRolePolicyDocument: trust }],
      ['iam', 'CreateRole', { RoleName: 'F', AssumeRolePolicyDocument: '{' }],
      ['iam', 'CreateRole', { RoleName: 'bad name', AssumeRolePolicyDocument: trust }],
      ['iam', 'DeleteRole', { RoleName: 'E' }],
      ['iam', 'AttachRolePolicy', { RoleName: 'E', PolicyArn: 'arn:aws:iam::aws:policy/Nope' }],
      ['iam', 'CreateSAMLProvider', { Name: 'X', SAMLMetadataDocument: 'x'.repeat(1200) }],
      ['iam', 'GetSAMLProvider', { SAMLProviderArn: 'arn:aws:iam::111111111111:saml-provider/None' }],
      ['iam', 'GetRolePolicy', { RoleName: 'E', PolicyName: 'None' }],
      ['organizations', 'DescribeAccount', { AccountId: '999999999999' }],
      ['organizations', 'ListAccountsForParent', { ParentId: 'ou-kw01-zzzzzzzz' }],
      ['organizations', 'ListTagsForResource', { ResourceId: '999999999999' }],
      ['organizations', 'ListParents', { ChildId: '999999999999' }],
      ['organizations', 'DescribeOrganizationalUnit', { OrganizationalUnitId: 'ou-kw01-zzzzzzzz' }],
      ['organizations', 'ListAccounts', { MaxResults: 50 }],
      ['organizations', 'ListAccounts', {}, '333333333333'],
    ];
    for (const [service, op, input, account] of failing) await send(service, op, input, account);
    assert.equal(errorsSeen.length, failing.length, JSON.stringify(errorsSeen));
    for (const e of errorsSeen) {
      if (COMMON.has(e.code)) continue;
      const model = (models[e.service] ?? [])[0] as Model;
      const declared = (model.operations[e.op]?.errors ?? []).map((x) => ({
        name: x.shape,
        ...model.shapes[x.shape]?.error,
      }));
      const match = declared.find((d) => (d.code ?? d.name) === e.code);
      assert.ok(
        match,
        `${e.service}.${e.op} answered ${e.code}, not among ${declared.map((d) => d.code ?? d.name).join(', ')}`,
      );
      assert.equal(e.status, match.httpStatusCode ?? 400, `${e.code} status`);
    }
  });
});

/** A 2048-bit self-signed certificate (test data, made once with `openssl req -x509 -newkey rsa:2048`). */
const CERT = (() => {
  const pem = readFileSync(new URL('./testdata/idp-cert.pem', import.meta.url), 'utf8');
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
})();
