/**
 * AWS Signature Version 4 verification. The canonical request is rebuilt by @smithy/signature-v4 (the signer the
 * SDK itself uses) from the received headers named in SignedHeaders and the captured X-Amz-Date, which reproduces
 * the signatures of both the AWS CLI v2 and the SDK v3. Failures are typed by kind; each protocol maps a kind to
 * the code its clients expect (Query: `SignatureDoesNotMatch`, JSON: `InvalidSignatureException`, …).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { EmulatorRequest } from './contract.js';

export type SigV4FailureKind =
  | 'missing'
  | 'incomplete'
  | 'unknown-key'
  | 'invalid-token'
  | 'expired-token'
  | 'mismatch';

export class SigV4Failure extends Error {
  override readonly name = 'SigV4Failure';
  constructor(
    readonly kind: SigV4FailureKind,
    message: string,
  ) {
    super(message);
  }
}

import type { SessionAttributes } from '../world-contract.js';

export interface SigningPrincipal {
  readonly accountId: string;
  readonly principalArn: string;
  readonly userId: string;
  /** Present for temporary credentials. */
  readonly session?: SessionAttributes;
}

/** What the verifier needs to know about an access key id. */
export interface KnownCredential {
  readonly secretAccessKey: string;
  /** Present for temporary (`ASIA…`) credentials: the request must carry exactly this token. */
  readonly sessionToken?: string;
  /** Epoch milliseconds; absent for long-term keys. */
  readonly expiration?: number;
  readonly principal: SigningPrincipal;
}

export type CredentialLookup = (accessKeyId: string) => KnownCredential | undefined;

export interface VerifiedSignature {
  readonly accessKeyId: string;
  readonly region: string;
  readonly principal: SigningPrincipal;
}

/** AWS accepts a request whose X-Amz-Date is within 15 minutes of its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export function hasAuthorization(req: EmulatorRequest): boolean {
  return req.headers['authorization'] !== undefined;
}

export function parseAuthorization(header: string): ParsedAuthorization {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Failure('incomplete', `Unsupported AWS 'algorithm': '${algorithm.slice(0, 64)}'.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.get(k));
  if (missing.length > 0) {
    throw new SigV4Failure(
      'incomplete',
      missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' '),
    );
  }
  const credential = (fields.get('Credential') ?? '').split('/');
  if (credential.length !== 5 || credential.some((c) => c === '')) {
    throw new SigV4Failure(
      'incomplete',
      'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.',
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = credential as [string, string, string, string, string];
  const signature = fields.get('Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new SigV4Failure('mismatch', SIGNATURE_MISMATCH_MESSAGE);
  }
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';');
  return { accessKeyId, scopeDate, region, service, terminator, signedHeaders, signature };
}

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function parseAmzDate(value: string): Date {
  const m = AMZ_DATE.exec(value);
  if (!m)
    throw new SigV4Failure(
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${value.slice(0, 32)}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  const [, y, mo, d, h, mi, s] = m as unknown as [string, string, string, string, string, string, string];
  const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== +d) {
    throw new SigV4Failure(
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return date;
}

function basicFormat(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Verifies the request's SigV4 Authorization header for `signingName`; throws SigV4Failure. */
export async function verifySigV4(
  req: EmulatorRequest,
  signingName: string,
  lookup: CredentialLookup,
  now: number,
): Promise<VerifiedSignature> {
  const header = req.headers['authorization'];
  if (header === undefined) throw new SigV4Failure('missing', 'Request is missing Authentication Token');
  const auth = parseAuthorization(header);
  const amzDate = req.headers['x-amz-date'];
  if (amzDate === undefined) {
    throw new SigV4Failure(
      'incomplete',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const signingDate = parseAmzDate(amzDate);

  const known = lookup(auth.accessKeyId);
  if (!known) throw new SigV4Failure('unknown-key', 'The security token included in the request is invalid.');
  if (known.sessionToken === undefined && req.headers['x-amz-security-token'] !== undefined) {
    // A session token only belongs with temporary credentials; AWS refuses it next to a long-term key.
    throw new SigV4Failure('invalid-token', 'The security token included in the request is invalid.');
  }
  if (known.sessionToken !== undefined) {
    const presented = req.headers['x-amz-security-token'];
    if (presented === undefined || !constantTimeEqual(presented, known.sessionToken)) {
      throw new SigV4Failure('invalid-token', 'The security token included in the request is invalid.');
    }
    if (known.expiration !== undefined && now >= known.expiration) {
      throw new SigV4Failure('expired-token', 'The security token included in the request is expired');
    }
  }

  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    throw new SigV4Failure(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate.slice(0, 16)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (auth.service !== signingName) {
    throw new SigV4Failure('mismatch', `Credential should be scoped to correct service: '${signingName}'. `);
  }
  if (auth.terminator !== 'aws4_request') {
    throw new SigV4Failure(
      'mismatch',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator.slice(0, 32)}'. `,
    );
  }
  const skew = signingDate.getTime() - now;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure(
      'mismatch',
      `Signature expired: ${amzDate} is now earlier than ${basicFormat(now - MAX_CLOCK_SKEW_MS)} (${basicFormat(now)} - 15 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure(
      'mismatch',
      `Signature not yet current: ${amzDate} is still later than ${basicFormat(now + MAX_CLOCK_SKEW_MS)} (${basicFormat(now)} + 15 min.)`,
    );
  }
  if (!auth.signedHeaders.includes('host')) {
    throw new SigV4Failure('mismatch', SIGNATURE_MISMATCH_MESSAGE);
  }
  // The signer trusts a supplied payload hash; the body must really have that hash. `UNSIGNED-PAYLOAD` is an S3
  // option no IAM, STS or JSON 1.1 client sends, and it would leave the body unsigned, so it is refused too.
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const claimedHash = req.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    throw new SigV4Failure('mismatch', SIGNATURE_MISMATCH_MESSAGE);
  }

  const expected = await computeSignature(req, auth, known, signingDate);
  if (!constantTimeEqual(expected, auth.signature)) throw new SigV4Failure('mismatch', SIGNATURE_MISMATCH_MESSAGE);
  return { accessKeyId: auth.accessKeyId, region: auth.region, principal: known.principal };
}

async function computeSignature(
  req: EmulatorRequest,
  auth: ParsedAuthorization,
  known: KnownCredential,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    const values = req.query.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const tokenSigned =
    auth.signedHeaders.includes('x-amz-security-token') && headers['x-amz-security-token'] !== undefined;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: auth.accessKeyId,
      secretAccessKey: known.secretAccessKey,
      ...(tokenSigned ? { sessionToken: headers['x-amz-security-token'] } : {}),
    },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: headers['host'] ?? '',
      path: req.path,
      query,
      headers,
      body: req.body,
    },
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const authorization = signed.headers['authorization'] ?? '';
  const m = /Signature=([0-9a-f]{64})/.exec(authorization);
  return m?.[1] ?? '';
}

export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}
