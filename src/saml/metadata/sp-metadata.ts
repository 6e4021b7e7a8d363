/**
 * Reads an SP's `<md:EntityDescriptor>` (SAML metadata 2.3.2, 2.4.4) into the values Keyway configures a SAML
 * application with. The same safe parser as for messages (no DTD, size and depth limits). Metadata signatures
 * are not checked: an administrator imports metadata deliberately, from a file or a URL they chose.
 */
import type { Element } from '@xmldom/xmldom';
import { X509Certificate } from 'node:crypto';
import { BINDING, NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { toPem } from '../crypto/credential.js';
import { childrenNamed, optionalAttr, parseBooleanAttr, requiredAttr, requiredChild, textOf } from '../xml/dom.js';
import { METADATA_XML_LIMITS } from '../xml/limits.js';
import { parseXml } from '../xml/parse.js';
import type { AcsEndpoint, ServiceProviderTrust, SloEndpoint } from '../inbound/ports.js';

export interface SpMetadata extends ServiceProviderTrust {
  readonly entityId: string;
  /** PEM certificates for verifying the SP's signatures (KeyDescriptor use="signing" or no use). */
  readonly signingCertificates: readonly string[];
  /** PEM certificates for encrypting assertions to the SP (use="encryption" or no use). */
  readonly encryptionCertificates: readonly string[];
  readonly authnRequestsSigned: boolean;
  readonly wantAssertionsSigned: boolean;
  readonly assertionConsumerServices: readonly AcsEndpoint[];
  readonly singleLogoutServices: readonly SloEndpoint[];
  readonly nameIdFormats: readonly string[];
  readonly validUntil?: Date;
}

const MAX_ENTITY_ID = 1024;

function findEntity(root: Element): Element {
  if (root.namespaceURI === NS.md && root.localName === 'EntityDescriptor') return root;
  if (root.namespaceURI === NS.md && root.localName === 'EntitiesDescriptor') {
    const sps = childrenNamed(root, NS.md, 'EntityDescriptor').filter(
      (e) => childrenNamed(e, NS.md, 'SPSSODescriptor').length > 0,
    );
    if (sps.length !== 1)
      throw new SamlError('invalid_field', 'The metadata must describe exactly one service provider.');
    return sps[0]!;
  }
  throw new SamlError('unexpected_message', 'The document is not SAML metadata (md:EntityDescriptor).');
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SamlError('invalid_field', `${what} is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SamlError('invalid_field', `${what} must be an http or https URL.`);
  return value;
}

function certificates(descriptor: Element, use: 'signing' | 'encryption'): string[] {
  const out: string[] = [];
  for (const kd of childrenNamed(descriptor, NS.md, 'KeyDescriptor')) {
    const kdUse = optionalAttr(kd, 'use');
    if (kdUse !== undefined && kdUse !== use) continue;
    const keyInfo = requiredChild(kd, NS.ds, 'KeyInfo');
    for (const data of childrenNamed(keyInfo, NS.ds, 'X509Data')) {
      for (const certEl of childrenNamed(data, NS.ds, 'X509Certificate')) {
        let pem: string;
        try {
          pem = new X509Certificate(toPem(textOf(certEl))).toString();
        } catch {
          throw new SamlError('invalid_field', `A ${use} certificate in the metadata cannot be read.`);
        }
        if (!out.includes(pem)) out.push(pem);
      }
    }
  }
  return out;
}

/** xs:dateTime, which metadata publishers write with or without an offset. */
function readValidUntil(value: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value)
    ? new Date(value)
    : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new SamlError('invalid_field', 'validUntil is not a date-time.');
  return d;
}

export function parseSpMetadata(xml: string): SpMetadata {
  const root = parseXml(xml.replace(/^\uFEFF/, ''), METADATA_XML_LIMITS).documentElement!;
  const entity = findEntity(root);
  const entityId = requiredAttr(entity, 'entityID');
  if (entityId.length > MAX_ENTITY_ID) throw new SamlError('invalid_field', 'The entityID is too long.');
  const descriptors = childrenNamed(entity, NS.md, 'SPSSODescriptor');
  if (descriptors.length !== 1)
    throw new SamlError('invalid_field', 'The metadata must have exactly one SPSSODescriptor.');
  const sp = descriptors[0]!;
  if (!requiredAttr(sp, 'protocolSupportEnumeration').split(/\s+/).includes(NS.samlp)) {
    throw new SamlError('invalid_field', 'The service provider does not support SAML 2.0.');
  }
  const assertionConsumerServices = childrenNamed(sp, NS.md, 'AssertionConsumerService').map((el): AcsEndpoint => {
    const indexRaw = optionalAttr(el, 'index');
    if (indexRaw !== undefined && !/^\d{1,5}$/.test(indexRaw))
      throw new SamlError('invalid_field', 'An ACS index is not a small unsigned integer.');
    return {
      index: indexRaw === undefined ? undefined : Number(indexRaw),
      isDefault: parseBooleanAttr(el, 'isDefault'),
      binding: requiredAttr(el, 'Binding'),
      location: httpUrl(requiredAttr(el, 'Location'), 'An ACS Location'),
    };
  });
  if (!assertionConsumerServices.some((a) => a.binding === BINDING.post)) {
    throw new SamlError('invalid_field', 'The service provider has no HTTP-POST assertion consumer service.');
  }
  const indexes = assertionConsumerServices.flatMap((a) => (a.index === undefined ? [] : [a.index]));
  if (new Set(indexes).size !== indexes.length)
    throw new SamlError('invalid_field', 'Two ACS endpoints share an index.');
  const singleLogoutServices = childrenNamed(sp, NS.md, 'SingleLogoutService').map((el): SloEndpoint => {
    const responseLocation = optionalAttr(el, 'ResponseLocation');
    return {
      binding: requiredAttr(el, 'Binding'),
      location: httpUrl(requiredAttr(el, 'Location'), 'An SLO Location'),
      ...(responseLocation ? { responseLocation: httpUrl(responseLocation, 'An SLO ResponseLocation') } : {}),
    };
  });
  const validUntil = optionalAttr(entity, 'validUntil');
  return {
    entityId,
    signingCertificates: certificates(sp, 'signing'),
    encryptionCertificates: certificates(sp, 'encryption'),
    authnRequestsSigned: parseBooleanAttr(sp, 'AuthnRequestsSigned') ?? false,
    wantAssertionsSigned: parseBooleanAttr(sp, 'WantAssertionsSigned') ?? false,
    assertionConsumerServices,
    singleLogoutServices,
    nameIdFormats: childrenNamed(sp, NS.md, 'NameIDFormat').map((e) => textOf(e).trim()),
    ...(validUntil ? { validUntil: readValidUntil(validUntil) } : {}),
  };
}
