/**
 * The IdP's `<samlp:Response>` for the Web Browser SSO profile (SAML profiles 4.1.4.2), emitted in exclusive
 * canonical form and signed without a DOM (see xml/canonical-writer.ts). Assertion and/or Response signed,
 * signature placed right after the Issuer (SAML core 5.4.1), optional EncryptedAssertion after signing.
 */
import { ATTRNAME_FORMAT, CONFIRMATION_BEARER, NAMEID_FORMAT, STATUS } from '../constants.js';
import { SamlError } from '../errors.js';
import type { SignatureAlgorithmName } from '../crypto/algorithms.js';
import type { SigningCredential } from '../crypto/credential.js';
import { signElement } from '../crypto/enveloped-sign.js';
import { element, escapeText, instant, protectLineSeparators, startTag, textElement } from '../xml/canonical-writer.js';
import { SAML, SAMLP } from '../xml/ns-decls.js';
import { encryptAssertion, type AssertionEncryption } from './encrypt-assertion.js';
import { newSamlId } from './ids.js';

export interface NameIdOptions {
  readonly value: string;
  /** A NameID format URI; `NAMEID_FORMAT.persistent` by default. */
  readonly format?: string;
  readonly nameQualifier?: string;
  /**
   * The SP the identifier is scoped to. Defaults to the first audience for persistent and transient
   * identifiers (SAML core 8.3.7/8.3.8); pass `null` to leave it out.
   */
  readonly spNameQualifier?: string | null;
}

export interface SamlAttribute {
  readonly name: string;
  /** Defaults to `ResponseOptions.attributeNameFormat`. */
  readonly nameFormat?: string;
  readonly friendlyName?: string;
  /** One `<saml:AttributeValue>` each; multi-valued attributes simply list several. */
  readonly values: readonly string[];
}

export interface ResponseSigningOptions {
  readonly credential: SigningCredential;
  /** Sign the `<samlp:Response>`. Default true. */
  readonly signResponse?: boolean;
  /** Sign the `<saml:Assertion>`. Default true. */
  readonly signAssertion?: boolean;
  /** Default `rsa-sha256`. `rsa-sha1` needs `allowSha1`. */
  readonly algorithm?: SignatureAlgorithmName;
  readonly allowSha1?: boolean;
}

export interface ResponseOptions {
  /** The IdP entityID, as in its metadata. */
  readonly issuer: string;
  /** The ACS URL the response is posted to: Response `Destination` and SubjectConfirmationData `Recipient`. */
  readonly destination: string;
  /** Audience(s): the SP entityID. */
  readonly audience: string | readonly string[];
  /** The AuthnRequest ID; absent for IdP-initiated SSO. */
  readonly inResponseTo?: string;
  readonly nameId: NameIdOptions;
  readonly sessionIndex: string;
  readonly authnInstant: Date;
  readonly authnContextClassRef: string;
  /** When the IdP session ends; SPs should not keep their session longer. */
  readonly sessionNotOnOrAfter?: Date;
  readonly attributes?: readonly SamlAttribute[];
  /** Default `urn:oasis:names:tc:SAML:2.0:attrname-format:uri`. */
  readonly attributeNameFormat?: string;
  /** Issue time; `new Date()` by default. */
  readonly now?: Date;
  /** Assertion lifetime (Conditions and SubjectConfirmationData NotOnOrAfter). Default 300 s. */
  readonly lifetimeSeconds?: number;
  /** Clock skew allowed for SPs: NotBefore is `now - skew`. Default 60 s. */
  readonly skewSeconds?: number;
  readonly signing: ResponseSigningOptions;
  /** Encrypt the (signed) assertion for the SP; needs the SP's encryption certificate. */
  readonly encryption?: AssertionEncryption;
}

export interface BuiltResponse {
  /** The Response XML (UTF-8 text, no XML declaration). */
  readonly xml: string;
  /** Base64 of the UTF-8 XML: the `SAMLResponse` form value of the HTTP-POST binding. */
  readonly base64: string;
  readonly responseId: string;
  readonly assertionId: string;
  readonly issueInstant: Date;
  /** End of the assertion's validity window. */
  readonly notOnOrAfter: Date;
}

const MAX_LIFETIME_SECONDS = 3600;

export async function buildResponse(opts: ResponseOptions): Promise<BuiltResponse> {
  const now = opts.now ?? new Date();
  const lifetime = opts.lifetimeSeconds ?? 300;
  const skew = opts.skewSeconds ?? 60;
  if (!(lifetime > 0 && lifetime <= MAX_LIFETIME_SECONDS) || !(skew >= 0 && skew <= 600)) {
    throw new SamlError('invalid_field', 'The assertion lifetime or skew is out of range.');
  }
  for (const [what, d] of [
    ['now', now],
    ['authnInstant', opts.authnInstant],
    ['sessionNotOnOrAfter', opts.sessionNotOnOrAfter],
  ] as const) {
    if (d !== undefined && !(d instanceof Date && Number.isFinite(d.getTime()))) {
      throw new SamlError('invalid_field', `${what} is not a valid date.`);
    }
  }
  if (opts.nameId.value === '') throw new SamlError('missing_field', 'The NameID value is empty.');
  if (opts.sessionIndex === '') throw new SamlError('missing_field', 'The SessionIndex is empty.');
  if (opts.attributes?.some((a) => a.name === ''))
    throw new SamlError('missing_field', 'An attribute has an empty name.');
  const audiences = typeof opts.audience === 'string' ? [opts.audience] : opts.audience;
  if (audiences.length === 0) throw new SamlError('missing_field', 'A response needs at least one audience.');
  const signResponse = opts.signing.signResponse ?? true;
  const signAssertion = opts.signing.signAssertion ?? true;
  if (!signResponse && !signAssertion) {
    throw new SamlError('invalid_field', 'At least one of the Response and the Assertion must be signed.');
  }
  const notOnOrAfter = new Date(now.getTime() + lifetime * 1000);
  const responseId = newSamlId();
  const assertionId = newSamlId();
  const signOpts = {
    credential: opts.signing.credential,
    algorithm: opts.signing.algorithm,
    allowSha1: opts.signing.allowSha1,
  };

  const assertionParts = assertionElement(opts, assertionId, now, notOnOrAfter, audiences, skew);
  let assertion = signAssertion ? signElement(assertionParts, signOpts) : assertionParts.head + assertionParts.tail;
  if (opts.encryption) assertion = await encryptAssertion(protectLineSeparators(assertion), opts.encryption);

  const head =
    startTag(
      'samlp:Response',
      [
        ['Destination', opts.destination],
        ['ID', responseId],
        ['InResponseTo', opts.inResponseTo],
        ['IssueInstant', instant(now)],
        ['Version', '2.0'],
      ],
      [SAMLP],
    ) + textElement('saml:Issuer', [], opts.issuer, [SAML]);
  const tail =
    element('samlp:Status', [], element('samlp:StatusCode', [['Value', STATUS.success]], '')) +
    assertion +
    '</samlp:Response>';
  const signed = signResponse ? signElement({ id: responseId, head, tail }, signOpts) : head + tail;
  // U+0085 and U+2028 are not ASCII: when the UTF-8 encoding is exactly as long as the string, every character is
  // ASCII and the scan of protectLineSeparators (as long as the response) is skipped.
  let bytes = Buffer.from(signed, 'utf8');
  let xml = signed;
  if (bytes.length !== signed.length) {
    xml = protectLineSeparators(signed);
    if (xml !== signed) bytes = Buffer.from(xml, 'utf8');
  }
  return {
    xml,
    base64: bytes.toString('base64'),
    responseId,
    assertionId,
    issueInstant: now,
    notOnOrAfter,
  };
}

function assertionElement(
  opts: ResponseOptions,
  id: string,
  now: Date,
  notOnOrAfter: Date,
  audiences: readonly string[],
  skew: number,
): { id: string; head: string; tail: string } {
  const issueInstant = instant(now);
  const notAfter = instant(notOnOrAfter);
  const head =
    startTag(
      'saml:Assertion',
      [
        ['ID', id],
        ['IssueInstant', issueInstant],
        ['Version', '2.0'],
      ],
      [SAML],
    ) + textElement('saml:Issuer', [], opts.issuer);

  const format = opts.nameId.format ?? NAMEID_FORMAT.persistent;
  const scoped = format === NAMEID_FORMAT.persistent || format === NAMEID_FORMAT.transient;
  const spNameQualifier =
    opts.nameId.spNameQualifier === null
      ? undefined
      : (opts.nameId.spNameQualifier ?? (scoped ? audiences[0] : undefined));
  const subject = element(
    'saml:Subject',
    [],
    textElement(
      'saml:NameID',
      [
        ['Format', format],
        ['NameQualifier', opts.nameId.nameQualifier],
        ['SPNameQualifier', spNameQualifier],
      ],
      opts.nameId.value,
    ) +
      element(
        'saml:SubjectConfirmation',
        [['Method', CONFIRMATION_BEARER]],
        element(
          'saml:SubjectConfirmationData',
          [
            ['InResponseTo', opts.inResponseTo],
            ['NotOnOrAfter', notAfter],
            ['Recipient', opts.destination],
          ],
          '',
        ),
      ),
  );
  const conditions = element(
    'saml:Conditions',
    [
      ['NotBefore', instant(new Date(now.getTime() - skew * 1000))],
      ['NotOnOrAfter', notAfter],
    ],
    element('saml:AudienceRestriction', [], audiences.map((a) => textElement('saml:Audience', [], a)).join('')),
  );
  const authn = element(
    'saml:AuthnStatement',
    [
      ['AuthnInstant', instant(opts.authnInstant)],
      ['SessionIndex', opts.sessionIndex],
      ['SessionNotOnOrAfter', opts.sessionNotOnOrAfter ? instant(opts.sessionNotOnOrAfter) : undefined],
    ],
    element('saml:AuthnContext', [], textElement('saml:AuthnContextClassRef', [], opts.authnContextClassRef)),
  );
  const attributes = opts.attributes ?? [];
  const defaultNameFormat = opts.attributeNameFormat ?? ATTRNAME_FORMAT.uri;
  const attributeStatement =
    attributes.length === 0
      ? ''
      : element(
          'saml:AttributeStatement',
          [],
          attributes
            .map((a) =>
              element(
                'saml:Attribute',
                [
                  ['FriendlyName', a.friendlyName],
                  ['Name', a.name],
                  ['NameFormat', a.nameFormat ?? defaultNameFormat],
                ],
                attributeValues(a.values),
              ),
            )
            .join(''),
        );
  return { id, head, tail: `${subject + conditions + authn + attributeStatement}</saml:Assertion>` };
}

const ATTRIBUTE_VALUE_OPEN = startTag('saml:AttributeValue');
const ATTRIBUTE_VALUE_CLOSE = '</saml:AttributeValue>';

/**
 * Printable ASCII without `& < >` (and TAB, LF): XML characters that canonical text never escapes. One test of
 * this replaces the XML-character check and the escape test for nearly every value (ARNs, names, e-mails).
 */
const PLAIN_TEXT = /^[\t\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*$/;

/**
 * A frozen list cannot change, so its markup is written once: callers hand the same frozen list to every
 * response for a user whose values have not changed (an AWS user's hundreds of Role values).
 */
const markupOfFrozenValues = new WeakMap<readonly string[], string>();

/** The values of one attribute; an attribute may carry hundreds (AWS Role), so no per-value tag is rebuilt. */
function attributeValues(values: readonly string[]): string {
  const known = markupOfFrozenValues.get(values);
  if (known !== undefined) return known;
  let out = '';
  for (const v of values)
    out += ATTRIBUTE_VALUE_OPEN + (PLAIN_TEXT.test(v) ? v : escapeText(v)) + ATTRIBUTE_VALUE_CLOSE;
  if (Object.isFrozen(values)) markupOfFrozenValues.set(values, out);
  return out;
}
