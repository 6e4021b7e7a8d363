/**
 * Checks SAML metadata the way CreateSAMLProvider/UpdateSAMLProvider do: UTF-8 without BOM, well-formed XML
 * without a DTD, an EntityDescriptor with an IDPSSODescriptor, and at least one signing certificate whose RSA
 * key has at least 1024 bits and which repeats no extension (IAM User Guide, id_roles_providers_create_saml). AWS
 * answers every failure with the same `InvalidInput` text.
 */
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { AwsServiceError } from '../http/contract.js';
import { certificateExtensionOids } from './x509-extensions.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export interface ParsedSamlMetadata {
  readonly entityId: string;
  readonly signingCertificates: readonly string[];
  /** Epoch ms from `validUntil`, when the metadata carries one. */
  readonly validUntil?: number;
}

function invalid(): AwsServiceError {
  return new AwsServiceError('InvalidInput', 'Could not parse metadata', 400);
}

function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.namespaceURI === ns && e.localName === localName) out.push(e);
    }
  }
  return out;
}

export function parseSamlMetadata(document: string): ParsedSamlMetadata {
  if (document.charCodeAt(0) === 0xfeff) throw invalid();
  // No DTDs: entity expansion and external entities are refused before the parser sees them.
  if (/<!DOCTYPE|<!ENTITY/i.test(document)) throw invalid();
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level) => {
        if (level !== 'warning') throw new Error('parse error');
      },
    }).parseFromString(document, 'text/xml');
    root = doc.documentElement;
  } catch {
    throw invalid();
  }
  if (!root || root.namespaceURI !== MD || root.localName !== 'EntityDescriptor') throw invalid();
  const entityId = root.getAttribute('entityID');
  if (!entityId) throw invalid();
  const idp = childElements(root, MD, 'IDPSSODescriptor');
  if (idp.length !== 1) throw invalid();
  const descriptor = idp[0] as Element;
  const certs: string[] = [];
  for (const kd of childElements(descriptor, MD, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const keyInfo of childElements(kd, DS, 'KeyInfo')) {
      for (const data of childElements(keyInfo, DS, 'X509Data')) {
        for (const certEl of childElements(data, DS, 'X509Certificate')) {
          const b64 = (certEl.textContent ?? '').replace(/\s+/g, '');
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw invalid();
          const der = Buffer.from(b64, 'base64');
          let cert: X509Certificate;
          try {
            cert = new X509Certificate(der);
          } catch {
            throw invalid();
          }
          const extensions = certificateExtensionOids(der);
          if (!extensions || new Set(extensions).size !== extensions.length) throw invalid();
          const key = cert.publicKey;
          const bits = key.asymmetricKeyDetails?.modulusLength;
          if (key.asymmetricKeyType === 'rsa' && (bits === undefined || bits < 1024)) throw invalid();
          certs.push(b64);
        }
      }
    }
  }
  if (certs.length === 0) throw invalid();
  const validUntilText = root.getAttribute('validUntil') || descriptor.getAttribute('validUntil');
  let validUntil: number | undefined;
  if (validUntilText) {
    validUntil = Date.parse(validUntilText);
    if (Number.isNaN(validUntil)) throw invalid();
  }
  return { entityId, signingCertificates: certs, ...(validUntil !== undefined ? { validUntil } : {}) };
}
