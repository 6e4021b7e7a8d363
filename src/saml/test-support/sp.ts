/**
 * Plays the service provider in tests: writes AuthnRequests and LogoutRequests and signs them the way SPs do —
 * POST with xml-crypto (enveloped, after Issuer), Redirect with node:crypto over the query string.
 */
import { sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { ALG, BINDING, NS } from '../constants.js';
import type { TestKeyPair } from './keys.js';

export interface AuthnRequestFixture {
  readonly id?: string;
  readonly issuer?: string;
  readonly destination?: string | null;
  readonly acsUrl?: string;
  readonly acsIndex?: number;
  readonly issueInstant?: Date | string;
  readonly protocolBinding?: string;
  readonly nameIdFormat?: string;
  /** Raw XML placed after the Issuer (tests of hostile shapes). */
  readonly extra?: string;
  /** Raw XML used as the Issuer's content (tests of comments in values). */
  readonly issuerRaw?: string;
}

export const SP_ENTITY = 'https://sp.test/metadata';
export const SP_ACS = 'https://sp.test/acs';
export const IDP_SSO = 'https://keyway.test/saml/sso';

let counter = 0;
export const uniqueId = () =>
  `_req${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export function authnRequestXml(f: AuthnRequestFixture = {}): string {
  const instant =
    f.issueInstant instanceof Date ? f.issueInstant.toISOString() : (f.issueInstant ?? new Date().toISOString());
  const attrs = [
    f.acsIndex !== undefined
      ? `AssertionConsumerServiceIndex="${f.acsIndex}"`
      : `AssertionConsumerServiceURL="${f.acsUrl ?? SP_ACS}"`,
    f.destination === null ? '' : `Destination="${f.destination ?? IDP_SSO}"`,
    `ID="${f.id ?? uniqueId()}"`,
    `IssueInstant="${instant}"`,
    `ProtocolBinding="${f.protocolBinding ?? BINDING.post}"`,
    'Version="2.0"',
  ].filter(Boolean);
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ${attrs.join(' ')}>` +
    `<saml:Issuer>${f.issuerRaw ?? f.issuer ?? SP_ENTITY}</saml:Issuer>` +
    (f.extra ?? '') +
    `<samlp:NameIDPolicy AllowCreate="true" Format="${f.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'}"/>` +
    `</samlp:AuthnRequest>`
  );
}

/** Enveloped signature by xml-crypto, placed after the Issuer, as SP libraries do. */
export function signPost(xml: string, key: TestKeyPair, algorithm: 'rsa-sha256' | 'rsa-sha1' = 'rsa-sha256'): string {
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: algorithm === 'rsa-sha1' ? ALG.rsaSha1 : ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
  });
  sig.addReference({
    xpath: '/*',
    transforms: [ALG.enveloped, ALG.excC14n],
    digestAlgorithm: algorithm === 'rsa-sha1' ? ALG.sha1 : ALG.sha256,
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name()='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

export const postForm = (xml: string, relayState?: string) => ({
  SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'),
  ...(relayState !== undefined ? { RelayState: relayState } : {}),
});

export interface RedirectFixture {
  readonly relayState?: string;
  readonly key?: TestKeyPair;
  readonly sigAlg?: string;
  readonly param?: 'SAMLRequest' | 'SAMLResponse';
}

/** The raw query string an SP would redirect the browser with (SAML bindings 3.4.4.1). */
export function redirectQuery(xml: string, f: RedirectFixture = {}): string {
  const param = f.param ?? 'SAMLRequest';
  let q = `${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (f.relayState !== undefined) q += `&RelayState=${encodeURIComponent(f.relayState)}`;
  if (f.key) {
    const sigAlg = f.sigAlg ?? ALG.rsaSha256;
    q += `&SigAlg=${encodeURIComponent(sigAlg)}`;
    const hash = sigAlg === ALG.rsaSha1 ? 'sha1' : sigAlg === ALG.rsaSha512 ? 'sha512' : 'sha256';
    q += `&Signature=${encodeURIComponent(sign(hash, Buffer.from(q), f.key.privateKey).toString('base64'))}`;
  }
  return q;
}
