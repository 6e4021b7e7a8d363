import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { DOMImplementation, DOMParser, XMLSerializer } from '@xmldom/xmldom';
import {
  NS,
  parseSamlResponse,
  readIdpTrustAnchors,
  ReplayCache,
  SamlRejection,
  verifySamlResponse,
} from '../../saml-sp/index.js';
import type { IdentityStore, UserRecord } from '../store.js';

/**
 * Identity Center as a SAML service provider for an external IdP ([doc] SSOUG-2022 other-idps: IdP metadata at
 * most 75,000 characters with entityID, an X.509 certificate and a SingleSignOnService; no encryption; NameID
 * in emailAddress format). Sign-in succeeds only when the NameID equals a provisioned user's userName exactly.
 */
const MD = NS.metadata;
const PROTOCOL = NS.protocol;
const ASSERTION = NS.assertion;
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const UNSPECIFIED_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
export const MAX_IDP_METADATA_CHARS = 75_000;
/** [doc] limits.html: SAML assertion limit 50,000 characters (checked on the decoded Response). */
export const MAX_ASSERTION_CHARS = 50_000;
const CLOCK_SKEW_MS = 5 * 60_000;

export interface IdpConfig {
  readonly entityId: string;
  readonly certificatesPem: readonly string[];
  readonly ssoUrl: string;
  readonly ssoBinding: 'redirect' | 'post';
}

/** Why a sign-in was refused; `code` is stable and shown on the error page with a plain explanation. */
export class SignInFailure extends Error {
  override readonly name = 'SignInFailure';
  constructor(
    readonly code: 'invalid_saml' | 'user_not_provisioned' | 'user_disabled' | 'idp_not_configured',
    message: string,
  ) {
    super(message);
  }
}

export function parseIdpMetadata(xml: string): IdpConfig {
  if (xml.length > MAX_IDP_METADATA_CHARS)
    throw new SignInFailure('invalid_saml', `IdP metadata exceeds ${MAX_IDP_METADATA_CHARS} characters.`);
  let anchors: ReturnType<typeof readIdpTrustAnchors>;
  try {
    anchors = readIdpTrustAnchors(xml);
  } catch (e) {
    if (e instanceof SamlRejection) throw new SignInFailure('invalid_saml', `IdP metadata is invalid: ${e.detail}`);
    throw e;
  }
  if (anchors.certificatesPem.length === 0)
    throw new SignInFailure('invalid_saml', 'IdP metadata has no signing certificate.');
  // The strict parse above already refused DOCTYPEs, entities and oversized documents; this reads one URL.
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const services = Array.from(doc.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const pick =
    services.find((s) => s.getAttribute('Binding') === REDIRECT) ??
    services.find((s) => s.getAttribute('Binding') === POST);
  const location = pick?.getAttribute('Location') ?? '';
  if (!pick || !/^https?:\/\/[^\s]+$/.test(location))
    throw new SignInFailure(
      'invalid_saml',
      'IdP metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.',
    );
  return {
    entityId: anchors.entityId,
    certificatesPem: anchors.certificatesPem,
    ssoUrl: location,
    ssoBinding: pick.getAttribute('Binding') === REDIRECT ? 'redirect' : 'post',
  };
}

export class IdentityCenterSp {
  private idp: IdpConfig | undefined;
  private readonly replay = new ReplayCache();
  /** AuthnRequest IDs we issued, so an InResponseTo must answer one of ours. */
  private readonly pending = new Map<string, number>();

  constructor(
    readonly entityId: string,
    readonly acsPath: string,
    private readonly store: IdentityStore,
    private readonly now: () => number,
    private readonly onConfigured: (metadataXml: string) => void = () => undefined,
  ) {}

  configure(metadataXml: string): IdpConfig {
    this.idp = parseIdpMetadata(metadataXml);
    this.onConfigured(metadataXml);
    return this.idp;
  }

  get idpConfig(): IdpConfig | undefined {
    return this.idp;
  }

  metadata(baseUrl: string): string {
    const doc = new DOMImplementation().createDocument(MD, 'md:EntityDescriptor', null);
    const root = doc.documentElement as unknown as {
      setAttribute(n: string, v: string): void;
      appendChild(c: unknown): void;
    };
    root.setAttribute('entityID', this.entityId);
    const sp = doc.createElementNS(MD, 'md:SPSSODescriptor');
    sp.setAttribute('AuthnRequestsSigned', 'false');
    sp.setAttribute('WantAssertionsSigned', 'true');
    sp.setAttribute('protocolSupportEnumeration', PROTOCOL);
    const fmt = doc.createElementNS(MD, 'md:NameIDFormat');
    fmt.appendChild(doc.createTextNode(EMAIL_FORMAT));
    sp.appendChild(fmt);
    const acs = doc.createElementNS(MD, 'md:AssertionConsumerService');
    acs.setAttribute('Binding', POST);
    acs.setAttribute('Location', `${baseUrl}${this.acsPath}`);
    acs.setAttribute('index', '0');
    acs.setAttribute('isDefault', 'true');
    sp.appendChild(acs);
    root.appendChild(sp);
    return `<?xml version="1.0" encoding="UTF-8"?>${new XMLSerializer().serializeToString(doc)}`;
  }

  /** SP-initiated sign-in: the URL of the IdP with a deflated AuthnRequest (SAML bindings §3.4). */
  authnRequestUrl(baseUrl: string, relayState: string): string {
    const idp = this.requireIdp();
    const id = `_${randomUUID()}`;
    if (this.pending.size >= 10_000) for (const [k, exp] of this.pending) if (exp <= this.now()) this.pending.delete(k);
    this.pending.set(id, this.now() + 10 * 60_000);
    const doc = new DOMImplementation().createDocument(PROTOCOL, 'samlp:AuthnRequest', null);
    const root = doc.documentElement as unknown as {
      setAttribute(n: string, v: string): void;
      setAttributeNS(ns: string, n: string, v: string): void;
      appendChild(c: unknown): void;
    };
    root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', ASSERTION);
    root.setAttribute('ID', id);
    root.setAttribute('Version', '2.0');
    root.setAttribute('IssueInstant', new Date(this.now()).toISOString());
    root.setAttribute('Destination', idp.ssoUrl);
    root.setAttribute('AssertionConsumerServiceURL', `${baseUrl}${this.acsPath}`);
    root.setAttribute('ProtocolBinding', POST);
    const issuer = doc.createElementNS(ASSERTION, 'saml:Issuer');
    issuer.appendChild(doc.createTextNode(this.entityId));
    root.appendChild(issuer);
    const policy = doc.createElementNS(PROTOCOL, 'samlp:NameIDPolicy');
    policy.setAttribute('Format', EMAIL_FORMAT);
    policy.setAttribute('AllowCreate', 'false');
    root.appendChild(policy);
    const xml = new XMLSerializer().serializeToString(doc);
    const query = new URLSearchParams({
      SAMLRequest: deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'),
      RelayState: relayState,
    });
    return `${idp.ssoUrl}${idp.ssoUrl.includes('?') ? '&' : '?'}${query.toString()}`;
  }

  private requireIdp(): IdpConfig {
    if (!this.idp)
      throw new SignInFailure(
        'idp_not_configured',
        'No external identity provider is configured for this IAM Identity Center instance.',
      );
    return this.idp;
  }

  /** Verifies a posted Response in the usual order and maps its NameID to a provisioned user. */
  consume(samlResponse: string, baseUrl: string): UserRecord {
    const idp = this.requireIdp();
    const t = this.now();
    let verified: ReturnType<typeof verifySamlResponse>;
    try {
      if (samlResponse.length > Math.ceil((MAX_ASSERTION_CHARS * 4) / 3) + 4)
        throw new SamlRejection('too_large', 'the SAML response exceeds 50,000 characters');
      const parsed = parseSamlResponse(samlResponse);
      if (parsed.unverified.issuer !== idp.entityId)
        throw new SamlRejection('bad_value', 'the Issuer is not the configured identity provider');
      verified = verifySamlResponse(parsed, idp.certificatesPem);
    } catch (e) {
      if (e instanceof SamlRejection) throw new SignInFailure('invalid_saml', e.detail);
      throw e;
    }
    const a = verified.assertion;
    const acsUrl = `${baseUrl}${this.acsPath}`;
    const fail = (why: string): never => {
      throw new SignInFailure('invalid_saml', why);
    };
    if (a.issuer !== idp.entityId) fail('the Issuer is not the configured identity provider');
    if (verified.signedResponse?.destination !== undefined && verified.signedResponse.destination !== acsUrl)
      fail('the Destination is not this ACS URL');
    const c = a.conditions;
    if (c?.notBefore !== undefined && t + CLOCK_SKEW_MS < c.notBefore) fail('the assertion is not yet valid');
    if (c?.notOnOrAfter !== undefined && t - CLOCK_SKEW_MS >= c.notOnOrAfter) fail('the assertion has expired');
    if (!c || c.audienceRestrictions.length === 0 || !c.audienceRestrictions.every((r) => r.includes(this.entityId)))
      fail('the Audience is not this service provider');
    const bearer = a.subjectConfirmations.find((s) => s.method === BEARER);
    if (!bearer) fail('no bearer SubjectConfirmation');
    const b = bearer as NonNullable<typeof bearer>;
    if (b.recipient !== acsUrl) fail('the Recipient is not this ACS URL');
    if (b.notOnOrAfter === undefined || t - CLOCK_SKEW_MS >= b.notOnOrAfter)
      fail('the SubjectConfirmationData has expired');
    if (b.inResponseTo !== undefined) {
      const expires = this.pending.get(b.inResponseTo);
      if (expires === undefined || expires < t) fail('InResponseTo does not answer a request of this service provider');
      this.pending.delete(b.inResponseTo);
    }
    if (!this.replay.claim(a.id, (c?.notOnOrAfter ?? b.notOnOrAfter ?? t) + CLOCK_SKEW_MS, t))
      fail('the assertion was already used');
    const nameId = a.nameId;
    if (!nameId) fail('the assertion has no NameID');
    const n = nameId as NonNullable<typeof nameId>;
    if (n.format !== undefined && n.format !== EMAIL_FORMAT && n.format !== UNSPECIFIED_FORMAT)
      fail('the NameID format must be emailAddress');
    const user = this.store.findUserByExactUserName(n.value);
    if (!user) {
      throw new SignInFailure(
        'user_not_provisioned',
        'The NameID in the SAML assertion does not match the userName of any user provisioned in IAM Identity Center (the match is exact and case-sensitive).',
      );
    }
    if (!user.active) throw new SignInFailure('user_disabled', 'The user is disabled in IAM Identity Center.');
    return user;
  }
}
