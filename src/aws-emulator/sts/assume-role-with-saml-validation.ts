/**
 * AWS's SAML federation checks, in the order of AWS STS API Reference, "AssumeRoleWithSAML" and IAM User Guide,
 * "Troubleshoot SAML 2.0 federation with AWS", shared by STS
 * AssumeRoleWithSAML and the sign-in endpoint `POST /saml`:
 *   1 base64/XML · 2 provider exists · 3 Issuer vs metadata · 4 signature vs metadata certificates · 5 Audience ·
 *   6 Recipient · 7 NotOnOrAfter/NotBefore and the 5-minute IssueInstant window · 8 replay ·
 *   9 Role pair in the Role attribute · 10 RoleSessionName/SourceIdentity · 11 trust policy ·
 *   12 DurationSeconds vs MaxSessionDuration · 13 session-tag limits (then session policies).
 */
import { createHash } from 'node:crypto';
import {
  certificateToPem,
  parseSamlResponse,
  SamlRejection,
  verifySamlResponse,
  type ParsedSamlResponse,
  type SamlAssertion,
} from '../saml-sp/index.js';
import type { AwsServiceError } from '../http/contract.js';
import type { EmulatorServices, SamlProviderRecord } from '../world-contract.js';
import { SamlErrors } from './assume-role-with-saml-errors.js';
import { parseProviderArn } from './assume-role-with-saml-claims.js';

export type SamlFederationDeps = Pick<
  EmulatorServices,
  'iamReader' | 'credentials' | 'state' | 'log' | 'now' | 'allowSha1'
>;

/** Clock skew tolerated on NotBefore/NotOnOrAfter/IssueInstant; AWS documents none, so it is kept small. */
export const CLOCK_SKEW_MS = 60_000;
/** [obs] "Token must be redeemed within 5 minutes of issuance". */
export const REDEEM_WINDOW_MS = 5 * 60_000;
/**
 * AWS's SP entity ID and the Entra-style alternative (IAM User Guide, "Configure SAML assertions for the authentication
 * response"); nothing else is accepted.
 */
export const AWS_AUDIENCES: readonly string[] = ['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml'];

/**
 * AWS sign-in endpoints a Recipient may name (IAM User Guide, "Configure SAML assertions for the authentication
 * response"): global or regional `/saml`, the 2023 `/static/saml`,
 * and `/saml/acs/<IdP-ID>` for this provider. The emulator's own address is not one: an IdP in front of the emulator
 * posts to it but still names AWS's URL, so the assertion under test is the one AWS would accept.
 */
export function isSignInUrl(url: string, provider: SamlProviderRecord): boolean {
  const m =
    /^https:\/\/(?:([a-z]{2}(?:-[a-z]+)+-\d)\.)?signin\.aws\.amazon\.com\/(saml|static\/saml|saml\/acs\/([A-Za-z0-9]+))$/.exec(
      url,
    );
  if (!m) return false;
  return m[3] === undefined || m[3] === provider.uuid;
}

/** Step 1: base64 and XML. */
export function parseAssertionParameter(samlAssertion: string, deps: SamlFederationDeps): ParsedSamlResponse {
  try {
    return parseSamlResponse(samlAssertion, { signature: { allowSha1: deps.allowSha1 ?? false } });
  } catch (error) {
    throw toAwsError(error, deps);
  }
}

function toAwsError(error: unknown, deps: SamlFederationDeps): AwsServiceError {
  if (!(error instanceof SamlRejection)) throw error;
  deps.log.warn('saml.rejected', { code: error.code, detail: error.detail });
  switch (error.code) {
    case 'malformed':
    case 'too_large':
      return error.detail.includes('base64') ? SamlErrors.invalidBase64() : SamlErrors.invalidResponse();
    case 'unsigned':
    case 'bad_signature_shape':
    case 'signature_invalid':
      return SamlErrors.signatureInvalid();
    case 'status_not_success':
      return SamlErrors.idpRejected();
    case 'bad_structure':
    case 'bad_value':
      return SamlErrors.invalidResponse();
  }
}

/** Step 2. `undefined` when the ARN names no provider that exists. */
export function findProvider(principalArn: string, deps: SamlFederationDeps): SamlProviderRecord | undefined {
  if (!parseProviderArn(principalArn)) return undefined;
  return deps.iamReader.getSamlProviderByArn(principalArn);
}

export interface VerifiedFederation {
  readonly assertion: SamlAssertion;
  readonly provider: SamlProviderRecord;
  /** SubjectConfirmationData/@Recipient: AWS reports it as `Audience` and matches `saml:aud` against it. */
  readonly recipient: string;
  /** Epoch ms after which the assertion could no longer be accepted (replay entries live until then). */
  readonly acceptableUntil: number;
}

/**
 * Steps 3 to 7 against one provider. Replay (step 8) is `claimAssertion`, kept apart so the sign-in page can try
 * providers.
 */
export function verifyForProvider(
  parsed: ParsedSamlResponse,
  provider: SamlProviderRecord,
  deps: SamlFederationDeps,
): VerifiedFederation {
  const fail = (error: AwsServiceError, detail: string): AwsServiceError => {
    deps.log.warn('saml.rejected', { provider: provider.arn, detail });
    return error;
  };
  // Reject-only early answer in AWS's order; the issuer is read again from the signed bytes below.
  if (parsed.unverified.issuer !== provider.entityId)
    throw fail(SamlErrors.issuerMismatch(), 'unsigned Issuer does not match the metadata entityID');
  let assertion: SamlAssertion;
  let destination: string | undefined;
  try {
    const verified = verifySamlResponse(parsed, provider.signingCertificates.map(certificateToPem), {
      signature: { allowSha1: deps.allowSha1 ?? false },
    });
    assertion = verified.assertion;
    destination = verified.signedResponse?.destination;
  } catch (error) {
    throw toAwsError(error, deps);
  }
  if (assertion.issuer !== provider.entityId)
    throw fail(SamlErrors.issuerMismatch(), 'signed Issuer does not match the metadata entityID');

  // SAML core §2.5.1.4: every AudienceRestriction must be met; AWS requires one naming AWS.
  const restrictions = assertion.conditions?.audienceRestrictions ?? [];
  if (restrictions.length === 0 || !restrictions.every((r) => r.some((a) => AWS_AUDIENCES.includes(a)))) {
    throw fail(SamlErrors.audience(), `audiences ${JSON.stringify(restrictions)}`);
  }

  // AWS: exactly one SubjectConfirmation, whose data has both NotOnOrAfter and a Recipient naming AWS sign-in.
  const confirmations = assertion.subjectConfirmations;
  const sc = confirmations[0];
  if (
    confirmations.length !== 1 ||
    !sc ||
    sc.method !== 'urn:oasis:names:tc:SAML:2.0:cm:bearer' ||
    sc.recipient === undefined ||
    sc.notOnOrAfter === undefined
  ) {
    throw fail(SamlErrors.recipient(), 'need exactly one bearer SubjectConfirmation with Recipient and NotOnOrAfter');
  }
  if (!isSignInUrl(sc.recipient, provider)) throw fail(SamlErrors.recipient(), `Recipient ${sc.recipient}`);
  if (destination !== undefined && !isSignInUrl(destination, provider)) {
    throw fail(SamlErrors.recipient(), `signed Destination ${destination}`);
  }

  const now = deps.now();
  const notOnOrAfter = Math.min(sc.notOnOrAfter, assertion.conditions?.notOnOrAfter ?? Infinity);
  if (now >= notOnOrAfter + CLOCK_SKEW_MS) throw fail(SamlErrors.expired(), 'NotOnOrAfter has passed');
  const notBefore = Math.max(
    sc.notBefore ?? -Infinity,
    assertion.conditions?.notBefore ?? -Infinity,
    assertion.issueInstant,
  );
  if (notBefore > now + CLOCK_SKEW_MS)
    throw fail(SamlErrors.notYetValid(), 'NotBefore or IssueInstant is in the future');
  if (now - assertion.issueInstant > REDEEM_WINDOW_MS)
    throw fail(SamlErrors.redeemWindow(), 'IssueInstant is over 5 minutes old');

  const acceptableUntil = Math.min(notOnOrAfter, assertion.issueInstant + REDEEM_WINDOW_MS) + CLOCK_SKEW_MS;
  return { assertion, provider, recipient: sc.recipient, acceptableUntil };
}

const REPLAY_COLLECTION = 'sts.saml-assertion-ids';

interface ReplayEntry {
  readonly key: string;
  readonly expiresAt: number;
}

/** Step 8: each assertion ID of an issuer is accepted once, and remembered until it would have expired anyway. */
export function claimAssertion(verified: VerifiedFederation, deps: SamlFederationDeps): void {
  const now = deps.now();
  const key = createHash('sha256').update(`${verified.assertion.issuer}\n${verified.assertion.id}`).digest('hex');
  deps.state.transaction(() => {
    const seen = deps.state.get<ReplayEntry>(REPLAY_COLLECTION, key);
    if (seen && seen.expiresAt > now) {
      deps.log.warn('saml.rejected', {
        provider: verified.provider.arn,
        detail: `replayed assertion ${verified.assertion.id}`,
      });
      throw SamlErrors.replay();
    }
    // Expired entries can never match again, so they are dropped here; the table holds only live IDs.
    for (const entry of deps.state.list<ReplayEntry>(REPLAY_COLLECTION)) {
      if (entry.expiresAt <= now) deps.state.delete(REPLAY_COLLECTION, entry.key);
    }
    deps.state.put(REPLAY_COLLECTION, key, { key, expiresAt: verified.acceptableUntil } satisfies ReplayEntry);
  });
}
