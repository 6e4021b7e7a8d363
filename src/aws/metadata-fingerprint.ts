import { DOMParser, type Document } from '@xmldom/xmldom';
import type { MetadataFingerprint } from '../core/index.js';

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const MAX_METADATA_CHARS = 10_000_000;

/**
 * The entity ID and signing certificates of an IdP metadata document, so that two documents generated at
 * different times (new IDs, new validUntil) compare equal when they trust the same keys. Returns null for
 * anything that is not plain SAML metadata (DTDs refused, parser warnings fatal).
 */
export function metadataFingerprint(xml: string): MetadataFingerprint | null {
  if (xml.length > MAX_METADATA_CHARS || /<!DOCTYPE|<!ENTITY/i.test(xml)) return null;
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    return null;
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== MD_NS || root.localName !== 'EntityDescriptor') return null;
  const entityId = root.getAttribute('entityID');
  if (!entityId) return null;
  const certificates = new Set<string>();
  const descriptors = root.getElementsByTagNameNS(MD_NS, 'IDPSSODescriptor');
  for (let i = 0; i < descriptors.length; i++) {
    const keys = descriptors[i]!.getElementsByTagNameNS(MD_NS, 'KeyDescriptor');
    for (let k = 0; k < keys.length; k++) {
      const kd = keys[k]!;
      const use = kd.getAttribute('use');
      if (use !== null && use !== '' && use !== 'signing') continue;
      const certs = kd.getElementsByTagNameNS(DS_NS, 'X509Certificate');
      for (let c = 0; c < certs.length; c++) certificates.add((certs[c]!.textContent ?? '').replace(/\s+/g, ''));
    }
  }
  return { entityId, certificates: [...certificates].filter((c) => c.length > 0).sort() };
}
