/**
 * AssumeRoleWithSAML's errors with the codes of the botocore sts model and, where AWS documents or was observed
 * to use one, its exact message (AWS STS API Reference, "AssumeRoleWithSAML"; IAM User Guide, "Troubleshoot SAML 2.0
 * federation with AWS"). Where AWS is silent the message is ours and says so here.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../http/contract.js';

const invalidToken = (message: string): AwsServiceError => new AwsServiceError('InvalidIdentityToken', message, 400);

/**
 * The trailer AWS's SAML front end adds to some messages ([obs] "Issuer not present in specified provider (Service:
 * …)").
 */
const discovery = (message: string, errorCode: string): string =>
  `${message} (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: ${errorCode}; Request ID: ${randomUUID()}; Proxy: null)`;

export const SamlErrors = {
  /** Ours: AWS documents no text for undecodable input. */
  invalidBase64: () => invalidToken(discovery('Invalid base64 SAMLResponse', 'AuthSamlInvalidSamlResponseException')),
  /** Ours: not well-formed XML or not a SAML Response. */
  invalidResponse: () => invalidToken(discovery('Invalid SAML Response', 'AuthSamlInvalidSamlResponseException')),
  /** [doc] troubleshoot_saml: "Specified provider doesn't exist." */
  providerNotFound: () =>
    invalidToken(discovery("Specified provider doesn't exist", 'AuthSamlManifestNotFoundException')),
  /** [obs] dbeaver/cloudbeaver#3112. */
  issuerMismatch: () =>
    invalidToken(discovery('Issuer not present in specified provider', 'AuthSamlInvalidSamlResponseException')),
  /** [doc] troubleshoot_saml; [obs] cevoaustralia/aws-google-auth#270. */
  signatureInvalid: () => invalidToken('Response signature invalid'),
  /** [doc] troubleshoot_saml. */
  audience: () => invalidToken('Response does not contain the required audience.'),
  /** Ours: AWS documents the rule (exactly one SubjectConfirmation with Recipient and NotOnOrAfter), not the text. */
  recipient: () => invalidToken('Response does not contain a valid SubjectConfirmation Recipient.'),
  /** [obs] Versent/saml2aws#759. */
  expired: () => new AwsServiceError('ExpiredTokenException', 'Response has expired', 400),
  /** [obs] Nike-Inc/gimme-aws-creds#251. */
  redeemWindow: () =>
    new AwsServiceError('ExpiredTokenException', 'Token must be redeemed within 5 minutes of issuance', 400),
  /** Ours: AWS does not document NotBefore handling; refusing is the strict choice. */
  notYetValid: () => invalidToken('Response is not yet valid'),
  /** Ours: AWS does not document replay detection; refusing a reused assertion ID is the strict choice. */
  replay: () => invalidToken('SAML assertion has already been used'),
  /** Model text of IDPRejectedClaim, for a Response whose status is not Success. */
  idpRejected: () =>
    new AwsServiceError('IDPRejectedClaim', 'The identity provider (IdP) reported that authentication failed.', 403),
  /** [doc] troubleshoot_saml: role not in the assertion, trust policy or its conditions fail, no NameID. */
  accessDenied: () => new AwsServiceError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403),
  /** [doc] troubleshoot_saml. */
  roleSessionNameMissing: () => invalidToken('RoleSessionName is required in AuthnResponse'),
  roleSessionNameInvalid: () => invalidToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}'),
  sourceIdentityInvalid: () =>
    invalidToken('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'),
  /** Ours: AWS documents the range (900–43200), not the text. */
  sessionDurationInvalid: () =>
    invalidToken('SessionDuration in AuthnResponse must be an integer between 900 and 43200'),
  /** Ours: AWS documents the session-tag limits (IAM User Guide, "Pass session tags in AWS STS"), not the texts. */
  tagsInvalid: (why: string) => invalidToken(`Invalid session tags in AuthnResponse: ${why}`),
  /** [obs] prolane/samltoawsstskeys#61. */
  durationOverMax: () =>
    new AwsServiceError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      400,
    ),
  malformedPolicy: (why: string) => new AwsServiceError('MalformedPolicyDocument', why, 400),
  packedPolicyTooLarge: (percent: number) =>
    new AwsServiceError(
      'PackedPolicyTooLarge',
      `Packed size of consumed session policies and session tags exceeds the limit (${percent}% of allowed)`,
      400,
    ),
  /** The "N validation error(s) detected" form AWS uses for model constraint failures. */
  validation: (problems: readonly string[]) =>
    new AwsServiceError(
      'ValidationError',
      `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
      400,
    ),
};
