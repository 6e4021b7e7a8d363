/**
 * A small, independent SAML IdP used by tests only: it builds Responses with a DOM builder (values escaped by
 * construction) and signs them with xml-crypto, so the verifier is judged against output it did not produce.
 * It also makes the hostile twins the tests need (other keys, KeyInfo certificates, unsigned parts).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { DOMImplementation, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALG, NS, STATUS_SUCCESS } from './namespaces.js';

export interface FixtureKey {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** Certificate body without PEM armour, as metadata carries it. */
  readonly certificateBase64: string;
}

export function makeFixtureKey(commonName = 'fixture-idp'): FixtureKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomUUID().replace(/-/g, '').slice(0, 14)}`;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  const certificatePem = forge.pki.certificateToPem(cert);
  const certificateBase64 = certificatePem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return { privateKeyPem, certificatePem, certificateBase64 };
}

export function fixtureMetadata(
  entityId: string,
  keys: readonly FixtureKey[],
  ssoUrl = 'https://idp.example.test/sso',
): string {
  const doc = new DOMImplementation().createDocument(NS.metadata, 'md:EntityDescriptor', null);
  const root = doc.documentElement!;
  root.setAttribute('entityID', entityId);
  root.setAttribute('validUntil', new Date(Date.now() + 365 * 86_400_000).toISOString());
  const idp = doc.createElementNS(NS.metadata, 'md:IDPSSODescriptor');
  idp.setAttribute('protocolSupportEnumeration', NS.protocol);
  idp.setAttribute('WantAuthnRequestsSigned', 'false');
  for (const key of keys) {
    const kd = doc.createElementNS(NS.metadata, 'md:KeyDescriptor');
    kd.setAttribute('use', 'signing');
    const ki = doc.createElementNS(NS.dsig, 'ds:KeyInfo');
    const x509 = doc.createElementNS(NS.dsig, 'ds:X509Data');
    const c = doc.createElementNS(NS.dsig, 'ds:X509Certificate');
    c.appendChild(doc.createTextNode(key.certificateBase64));
    x509.appendChild(c);
    ki.appendChild(x509);
    kd.appendChild(ki);
    idp.appendChild(kd);
  }
  const nameIdFormat = doc.createElementNS(NS.metadata, 'md:NameIDFormat');
  nameIdFormat.appendChild(doc.createTextNode('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'));
  idp.appendChild(nameIdFormat);
  const sso = doc.createElementNS(NS.metadata, 'md:SingleSignOnService');
  sso.setAttribute('Binding', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect');
  sso.setAttribute('Location', ssoUrl);
  idp.appendChild(sso);
  root.appendChild(idp);
  return `<?xml version="1.0" encoding="UTF-8"?>${new XMLSerializer().serializeToString(doc)}`;
}

export interface FixtureResponseOptions {
  readonly issuer: string;
  /** Issuer of the Response element, when it should differ from the Assertion's. */
  readonly responseIssuer?: string;
  readonly nameId?: string | null;
  readonly nameIdFormat?: string;
  readonly recipient?: string | null;
  readonly destination?: string | null;
  readonly audiences?: readonly string[];
  /** Epoch ms; defaults to now. */
  readonly issueInstant?: number;
  readonly notBefore?: number;
  readonly notOnOrAfter?: number;
  readonly subjectNotOnOrAfter?: number;
  readonly sessionNotOnOrAfter?: number;
  readonly attributes?: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly statusCode?: string;
  readonly assertionId?: string;
  readonly responseId?: string;
  /** Which elements to sign. */
  readonly sign?: 'assertion' | 'response' | 'both' | 'none';
  readonly key?: FixtureKey;
  /** Put the signing certificate in KeyInfo (a verifier must ignore it). */
  readonly keyInfo?: boolean;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  /** Exclusive C14N InclusiveNamespaces PrefixList on the Reference (Okta sends `xs`). */
  readonly prefixList?: readonly string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function el(doc: Document, ns: string, qname: string, text?: string): Element {
  const e = doc.createElementNS(ns, qname);
  if (text !== undefined) e.appendChild(doc.createTextNode(text));
  return e;
}

/** Builds the unsigned Response document. */
export function buildResponseDocument(o: FixtureResponseOptions): Document {
  const now = o.issueInstant ?? Date.now();
  const doc = new DOMImplementation().createDocument(NS.protocol, 'samlp:Response', null);
  const response = doc.documentElement!;
  response.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', NS.assertion);
  response.setAttribute('ID', o.responseId ?? `_r${randomUUID()}`);
  response.setAttribute('Version', '2.0');
  response.setAttribute('IssueInstant', iso(now));
  const destination = o.destination === undefined ? 'https://signin.aws.amazon.com/saml' : o.destination;
  if (destination !== null) response.setAttribute('Destination', destination);
  response.appendChild(el(doc, NS.assertion, 'saml:Issuer', o.responseIssuer ?? o.issuer));
  const status = el(doc, NS.protocol, 'samlp:Status');
  const code = el(doc, NS.protocol, 'samlp:StatusCode');
  code.setAttribute('Value', o.statusCode ?? STATUS_SUCCESS);
  status.appendChild(code);
  response.appendChild(status);

  const assertion = el(doc, NS.assertion, 'saml:Assertion');
  assertion.setAttribute('ID', o.assertionId ?? `_a${randomUUID()}`);
  assertion.setAttribute('Version', '2.0');
  assertion.setAttribute('IssueInstant', iso(now));
  assertion.appendChild(el(doc, NS.assertion, 'saml:Issuer', o.issuer));
  const subject = el(doc, NS.assertion, 'saml:Subject');
  if (o.nameId !== null) {
    const nameId = el(doc, NS.assertion, 'saml:NameID', o.nameId ?? 'user-0001');
    nameId.setAttribute('Format', o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    subject.appendChild(nameId);
  }
  const sc = el(doc, NS.assertion, 'saml:SubjectConfirmation');
  sc.setAttribute('Method', 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
  const scd = el(doc, NS.assertion, 'saml:SubjectConfirmationData');
  scd.setAttribute('NotOnOrAfter', iso(o.subjectNotOnOrAfter ?? now + 5 * 60_000));
  const recipient = o.recipient === undefined ? 'https://signin.aws.amazon.com/saml' : o.recipient;
  if (recipient !== null) scd.setAttribute('Recipient', recipient);
  sc.appendChild(scd);
  subject.appendChild(sc);
  assertion.appendChild(subject);
  const conditions = el(doc, NS.assertion, 'saml:Conditions');
  conditions.setAttribute('NotBefore', iso(o.notBefore ?? now - 60_000));
  conditions.setAttribute('NotOnOrAfter', iso(o.notOnOrAfter ?? now + 5 * 60_000));
  const ar = el(doc, NS.assertion, 'saml:AudienceRestriction');
  for (const a of o.audiences ?? ['urn:amazon:webservices']) ar.appendChild(el(doc, NS.assertion, 'saml:Audience', a));
  conditions.appendChild(ar);
  assertion.appendChild(conditions);
  const authn = el(doc, NS.assertion, 'saml:AuthnStatement');
  authn.setAttribute('AuthnInstant', iso(now));
  authn.setAttribute('SessionIndex', `_s${randomUUID()}`);
  if (o.sessionNotOnOrAfter !== undefined) authn.setAttribute('SessionNotOnOrAfter', iso(o.sessionNotOnOrAfter));
  const ctx = el(doc, NS.assertion, 'saml:AuthnContext');
  ctx.appendChild(
    el(
      doc,
      NS.assertion,
      'saml:AuthnContextClassRef',
      'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    ),
  );
  authn.appendChild(ctx);
  assertion.appendChild(authn);
  if (o.attributes && o.attributes.length > 0) {
    const statement = el(doc, NS.assertion, 'saml:AttributeStatement');
    for (const [name, values] of o.attributes) {
      const attr = el(doc, NS.assertion, 'saml:Attribute');
      attr.setAttribute('Name', name);
      for (const v of values) attr.appendChild(el(doc, NS.assertion, 'saml:AttributeValue', v));
      statement.appendChild(attr);
    }
    assertion.appendChild(statement);
  }
  response.appendChild(assertion);
  return doc;
}

/** Signs the element selected by `xpath` (enveloped, exclusive C14N), placing the signature after its Issuer. */
export function signElement(
  xml: string,
  xpath: string,
  key: FixtureKey,
  options: Pick<FixtureResponseOptions, 'keyInfo' | 'signatureAlgorithm' | 'digestAlgorithm' | 'prefixList'> = {},
): string {
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: options.keyInfo ? key.certificatePem : undefined,
    signatureAlgorithm: options.signatureAlgorithm ?? ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
  });
  if (!options.keyInfo) signer.getKeyInfoContent = () => null;
  signer.addReference({
    xpath,
    transforms: [ALG.enveloped, ALG.excC14n],
    digestAlgorithm: options.digestAlgorithm ?? ALG.sha256,
    inclusiveNamespacesPrefixList: [...(options.prefixList ?? [])],
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

export const ASSERTION_XPATH = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
export const RESPONSE_XPATH = "/*[local-name(.)='Response']";

/** A complete Response, signed as asked, serialised to XML. */
export function fixtureResponseXml(o: FixtureResponseOptions, key: FixtureKey): string {
  let xml = new XMLSerializer().serializeToString(buildResponseDocument(o));
  const signKey = o.key ?? key;
  const sign = o.sign ?? 'assertion';
  if (sign === 'assertion' || sign === 'both') xml = signElement(xml, ASSERTION_XPATH, signKey, o);
  if (sign === 'response' || sign === 'both') xml = signElement(xml, RESPONSE_XPATH, signKey, o);
  return xml;
}

export const toBase64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
