import type { EmulatorServices, SessionAttributes } from '../world-contract.js';

/**
 * The contract between the emulator's HTTP front door (router, SigV4, wire codecs) and its services.
 * Services never see the HTTP framework: they take plain typed input and return plain output or throw
 * AwsServiceError, which the codec of the service's protocol renders in AWS's own error format.
 */
export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/` or `/t-abc/scim/v2/Users`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly remoteAddress: string;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    /** AWS's error code exactly as its service model names it, e.g. `NoSuchEntity`, `ValidationException`. */
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
    /** Extra members some errors carry (e.g. `Reason` for ConflictException). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Who signed the request (decided by SigV4 verification); absent for unsigned operations. */
export interface CallerContext {
  readonly accountId: string;
  readonly accessKeyId: string;
  /** `arn:aws:iam::<acct>:root`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>`, … */
  readonly principalArn: string;
  /** Unique id as GetCallerIdentity reports it (`AROA…:session`, or the account id for root). */
  readonly userId: string;
  readonly region: string;
  readonly requestId: string;
  /** Present when the request was signed with temporary credentials. */
  readonly session?: SessionAttributes;
}

export type JsonOperation = (
  input: Readonly<Record<string, unknown>>,
  caller: CallerContext,
) => Promise<unknown> | unknown;

/** An awsJson1_1 service, routed by `X-Amz-Target: <targetPrefix>.<Operation>`. */
export interface JsonServiceRegistration {
  readonly kind: 'json';
  readonly targetPrefix: string;
  /** SigV4 service name in the credential scope (sso-admin signs as `sso`). */
  readonly signingName: string;
  readonly operations: Readonly<Record<string, JsonOperation>>;
}

/**
 * Returns the members of the `<{Op}Result>` element (`''` for an output shape with no members, which still gets
 * its empty wrapper), or `undefined` for an operation whose model has no output shape (only ResponseMetadata).
 */
export type QueryOperation = (
  params: URLSearchParams,
  caller: CallerContext | null,
) => Promise<string | undefined> | string | undefined;

/** An awsQuery service (IAM, STS), routed by the form field `Action`; operations return the Result XML. */
export interface QueryServiceRegistration {
  readonly kind: 'query';
  readonly version: string;
  readonly signingName: string;
  readonly xmlNamespace: string;
  /** Operations that AWS accepts unsigned (AssumeRoleWithSAML). */
  readonly unsignedActions: ReadonlySet<string>;
  readonly operations: Readonly<Record<string, QueryOperation>>;
}

/** Plain HTTP routes (SCIM, sign-in pages, the access portal, the portal and sso-oidc REST APIs). */
export interface RestRouteRegistration {
  readonly kind: 'rest';
  readonly name: string;
  /** Tried in registration order; the first route whose `matches` is true handles the request. */
  matches(req: EmulatorRequest): boolean;
  handle(req: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
}

export type ServiceRegistration = JsonServiceRegistration | QueryServiceRegistration | RestRouteRegistration;

/** Builds a service's registrations from the shared emulator services (see world-contract.ts). */
export type ServiceFactory = (services: EmulatorServices) => readonly ServiceRegistration[];
