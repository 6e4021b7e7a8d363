/**
 * The trust anchors of an IAM SAML provider: the IdP entityID and the signing certificates of its metadata
 * (SAML metadata §2.4.1.1 KeyDescriptor). These, never a certificate inside a message, verify its Responses.
 */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import { SamlRejection } from './errors.js';
import { childElements, descendantElements, parseStrictXml } from './xml-guard.js';

export interface IdpTrustAnchors {
  readonly entityId: string;
  readonly certificatesPem: readonly string[];
}

const METADATA_LIMITS = { maxBytes: 10_000_000, maxDepth: 48, maxElements: 50_000, maxAttributesPerElement: 48 };

/** Wraps a base64 DER certificate (as metadata carries it) in PEM armour. */
export function certificateToPem(base64: string): string {
  const body = base64.replace(/[\t\n\r ]/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function readIdpTrustAnchors(metadataXml: string): IdpTrustAnchors {
  const { root } = parseStrictXml(metadataXml, METADATA_LIMITS);
  let entity: Element | undefined;
  if (root.namespaceURI === NS.metadata && root.localName === 'EntityDescriptor') entity = root;
  else if (root.namespaceURI === NS.metadata && root.localName === 'EntitiesDescriptor') {
    const withIdp = childElements(root, NS.metadata, 'EntityDescriptor').filter(
      (e) => childElements(e, NS.metadata, 'IDPSSODescriptor').length > 0,
    );
    if (withIdp.length !== 1) throw new SamlRejection('bad_structure', 'metadata must describe exactly one IdP');
    entity = withIdp[0];
  }
  if (!entity) throw new SamlRejection('bad_structure', 'metadata root is not an EntityDescriptor');
  const entityId = entity.getAttribute('entityID') ?? '';
  if (entityId === '') throw new SamlRejection('bad_value', 'metadata has no entityID');
  const idp = childElements(entity, NS.metadata, 'IDPSSODescriptor');
  if (idp.length !== 1) throw new SamlRejection('bad_structure', 'metadata must have exactly one IDPSSODescriptor');
  const certificatesPem: string[] = [];
  for (const kd of childElements(idp[0]!, NS.metadata, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use !== null && use !== '' && use !== 'signing') continue;
    for (const certEl of descendantElements(kd, NS.dsig, 'X509Certificate')) {
      const pem = certificateToPem(certEl.textContent ?? '');
      try {
        new X509Certificate(pem);
      } catch {
        throw new SamlRejection('bad_value', 'metadata holds a certificate that does not parse');
      }
      certificatesPem.push(pem);
    }
  }
  return { entityId, certificatesPem };
}
