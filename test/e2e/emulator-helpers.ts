/** Shared set-up for the emulator's black-box tests: AWS CLI v2 environment and SDK client configuration. */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import forge from 'node-forge';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IamRoleInfo, RunningEmulator } from '../../src/aws-emulator/index.js';
import { AWS_CLI } from '../../src/testing/index.js';

export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export function sdkConfig(endpoint: string, credentials: KeyPair) {
  return { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
}

let scratch: string | undefined;
function scratchDir(): string {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), 'keyway-emulator-cli-'));
    writeFileSync(join(scratch, 'config'), '');
    writeFileSync(join(scratch, 'credentials'), '');
  }
  return scratch;
}

/** The environment the CLI gets: isolated config files, no metadata lookups, no retries, no pager. */
export function cliEnv(credentials: KeyPair | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = scratchDir();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_MAX_ATTEMPTS: '1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    ...extra,
  };
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  return env;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, [...args], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The error code the AWS CLI prints: `An error occurred (Code) when calling …`. */
export function cliErrorCode(stderr: string): string | undefined {
  return /An error occurred \(([^)]+)\)/.exec(stderr)?.[1];
}

export interface TestIdp {
  readonly entityId: string;
  readonly certificateBase64: string;
  readonly metadata: string;
}

/**
 * A self-signed RSA certificate (node:crypto key, node-forge certificate) as metadata carries it, with the given
 * node-forge extension descriptions (none by default).
 */
export function makeCertificate(
  bits = 2048,
  commonName = 'emulator-test-idp',
  extensions: readonly object[] = [],
): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer([{ name: 'commonName', value: commonName }]);
  cert.setExtensions([...extensions]);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  return forge.pki
    .certificateToPem(cert)
    .replace(/-----[A-Z ]+-----/g, '')
    .replace(/\s+/g, '');
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/**
 * IdP metadata in the shape Keyway publishes. `role` picks the descriptor (an SP descriptor is what a confused
 * admin might upload); `certificates` may be empty to test the "no signing key" rule.
 */
export function idpMetadata(options: {
  entityId: string;
  certificates: readonly string[];
  role?: 'IDPSSODescriptor' | 'SPSSODescriptor';
  validUntil?: Date;
}): string {
  const doc = new DOMImplementation().createDocument(MD, 'md:EntityDescriptor', null);
  const root = doc.documentElement as Element;
  root.setAttribute('entityID', options.entityId);
  if (options.validUntil) root.setAttribute('validUntil', options.validUntil.toISOString());
  const descriptor = doc.createElementNS(MD, `md:${options.role ?? 'IDPSSODescriptor'}`);
  descriptor.setAttribute('protocolSupportEnumeration', 'urn:oasis:names:tc:SAML:2.0:protocol');
  for (const cert of options.certificates) {
    const kd = doc.createElementNS(MD, 'md:KeyDescriptor');
    kd.setAttribute('use', 'signing');
    const ki = doc.createElementNS(DS, 'ds:KeyInfo');
    const data = doc.createElementNS(DS, 'ds:X509Data');
    const c = doc.createElementNS(DS, 'ds:X509Certificate');
    c.appendChild(doc.createTextNode(cert));
    data.appendChild(c);
    ki.appendChild(data);
    kd.appendChild(ki);
    descriptor.appendChild(kd);
  }
  // Several bindings, as real IdP metadata has, which also keeps the document above the model's 1000-character minimum.
  for (const binding of ['HTTP-Redirect', 'HTTP-POST', 'HTTP-Artifact', 'SOAP']) {
    const sso = doc.createElementNS(MD, 'md:SingleSignOnService');
    sso.setAttribute('Binding', `urn:oasis:names:tc:SAML:2.0:bindings:${binding}`);
    sso.setAttribute('Location', `${options.entityId}/sso/${binding.toLowerCase()}`);
    descriptor.appendChild(sso);
  }
  for (const format of ['persistent', 'transient', 'emailAddress']) {
    const f = doc.createElementNS(MD, 'md:NameIDFormat');
    f.appendChild(doc.createTextNode(`urn:oasis:names:tc:SAML:2.0:nameid-format:${format}`));
    descriptor.appendChild(f);
  }
  root.appendChild(descriptor);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}`;
}

export function samlTrustPolicy(providerArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  });
}

/**
 * Puts a role trusting a SAML provider into `accountId` and issues temporary credentials for `session` on it,
 * as STS does after AssumeRoleWithSAML, for tests about what those credentials may do.
 */
export function issueRoleSession(
  emulator: RunningEmulator,
  accountId: string,
  roleName: string,
  session: string,
  durationSeconds: number,
): { role: IamRoleInfo; keys: Required<KeyPair> } {
  const role = emulator.iam.putRole(accountId, {
    name: roleName,
    path: '/',
    assumeRolePolicyDocument: samlTrustPolicy(`arn:aws:iam::${accountId}:saml-provider/Keyway`),
    maxSessionDuration: 3600,
    inlinePolicies: {},
    managedPolicyArns: [],
  });
  const { accessKeyId, secretAccessKey, sessionToken } = emulator.credentials.issueRoleSession(
    accountId,
    role,
    session,
    durationSeconds,
  );
  return { role, keys: { accessKeyId, secretAccessKey, sessionToken } };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * Sends a request signed with SigV4 by @smithy/signature-v4 (the SDK's signer), optionally tampering with it
 * after signing, so tests can produce exactly the wire shapes real clients send and the broken ones they don't.
 */
export async function signedFetch(
  url: string,
  options: {
    body: string;
    headers?: Record<string, string>;
    credentials?: KeyPair;
    service: string;
    signingDate?: Date;
    tamper?: (req: { headers: Record<string, string>; body: string }) => void;
  },
): Promise<RawResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { host: target.host, ...(options.headers ?? {}) };
  if (options.credentials) {
    const signer = new SignatureV4({
      credentials: options.credentials,
      region: 'us-east-1',
      service: options.service,
      sha256: Sha256,
    });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        path: '/',
        query: {},
        headers,
        body: options.body,
      },
      options.signingDate ? { signingDate: options.signingDate } : {},
    );
    Object.assign(headers, signed.headers);
  }
  const req = { headers, body: options.body };
  options.tamper?.(req);
  const { host: _host, ...sendHeaders } = req.headers;
  const res = await fetch(url, { method: 'POST', headers: sendHeaders, body: req.body });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
export const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1' };

/** `<Code>` of a Query `<ErrorResponse>`. */
export function xmlErrorCode(body: string): string | undefined {
  return /<ErrorResponse[^>]*>\s*<Error>[\s\S]*?<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
