/**
 * A SAML 2.0 Response as an AWS-style service provider receives it (HTTP-POST binding, base64): strict intake,
 * then signature verification against trusted certificates, then values read only from the verified bytes.
 *
 * AWS accepts a signed Response (whose signature covers the Assertion) or a signed Assertion (docs/aws-facts.md, "Not
 * documented by AWS"). When both
 * carry a signature, both must verify.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { NS, STATUS_SUCCESS } from './namespaces.js';
import { SamlRejection } from './errors.js';
import {
  childElements,
  decodeBase64Xml,
  DEFAULT_XML_LIMITS,
  descendantElements,
  parseStrictXml,
  simpleText,
  type XmlLimits,
} from './xml-guard.js';
import {
  DEFAULT_SIGNATURE_POLICY,
  locateSignatures,
  reparseSignedElement,
  verifySignatureSite,
  type SignaturePolicy,
} from './signature.js';
import { readAssertion, type SamlAssertion } from './assertion-claims.js';

export interface SamlVerifyOptions {
  readonly limits?: XmlLimits;
  readonly signature?: SignaturePolicy;
}

export const AWS_ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';

export interface ParsedSamlResponse {
  readonly xml: string;
  readonly doc: Document;
  readonly response: Element;
  readonly assertion: Element;
  /**
   * Values read from the document before any signature is checked. They only choose which trust anchors to try
   * and give early, reject-only answers in AWS's check order; every accepted value is read again from signed bytes.
   */
  readonly unverified: { readonly issuer: string | undefined; readonly roleValues: readonly string[] };
}

export interface SignedResponseInfo {
  readonly id: string;
  readonly destination: string | undefined;
  readonly issuer: string | undefined;
  readonly inResponseTo: string | undefined;
}

export interface VerifiedSamlResponse {
  readonly assertion: SamlAssertion;
  /** Present only when the Response element itself was signed (its Destination is then trustworthy). */
  readonly signedResponse: SignedResponseInfo | undefined;
  readonly assertionSigned: boolean;
}

/**
 * Step 1 of AWS's order (base64/XML): decode, parse strictly and check the overall shape. Signatures are looked
 * at by `verifySamlResponse`, which AWS's order puts after the provider and issuer checks.
 */
export function parseSamlResponse(base64: string, options: SamlVerifyOptions = {}): ParsedSamlResponse {
  const limits = options.limits ?? DEFAULT_XML_LIMITS;
  const xml = decodeBase64Xml(base64, limits);
  const { doc, root } = parseStrictXml(xml, limits);
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') {
    throw new SamlRejection('bad_structure', 'the root element is not a SAML 2.0 protocol Response');
  }
  if (root.getAttribute('Version') !== '2.0') throw new SamlRejection('bad_structure', 'Response Version must be 2.0');
  if (descendantElements(root, NS.assertion, 'EncryptedAssertion').length > 0) {
    throw new SamlRejection('bad_structure', 'encrypted assertions are not supported by this emulator');
  }
  const assertions = descendantElements(root, NS.assertion, 'Assertion');
  if (assertions.length !== 1)
    throw new SamlRejection('bad_structure', `expected exactly one Assertion, found ${assertions.length}`);
  const assertion = assertions[0]!;
  if (assertion.parentNode !== root)
    throw new SamlRejection('bad_structure', 'the Assertion must be a direct child of the Response');
  return { xml, doc, response: root, assertion, unverified: readUnverified(assertion) };
}

function readUnverified(assertion: Element): ParsedSamlResponse['unverified'] {
  const issuerEl = childElements(assertion, NS.assertion, 'Issuer')[0];
  const roleValues: string[] = [];
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, NS.assertion, 'Attribute')) {
      if (attribute.getAttribute('Name') !== AWS_ROLE_ATTRIBUTE) continue;
      for (const v of childElements(attribute, NS.assertion, 'AttributeValue'))
        roleValues.push(v.textContent?.trim() ?? '');
    }
  }
  return { issuer: issuerEl?.textContent?.trim(), roleValues };
}

/**
 * Verifies every signature against `certificatesPem` (the provider metadata's signing certificates) and reads
 * the assertion from the verified bytes only.
 */
export function verifySamlResponse(
  parsed: ParsedSamlResponse,
  certificatesPem: readonly string[],
  options: SamlVerifyOptions = {},
): VerifiedSamlResponse {
  const limits = options.limits ?? DEFAULT_XML_LIMITS;
  // Every signature's shape is checked before any cryptography runs.
  const sites = locateSignatures(
    parsed.doc,
    [parsed.response, parsed.assertion],
    options.signature ?? DEFAULT_SIGNATURE_POLICY,
  );
  if (sites.length === 0) throw new SamlRejection('unsigned', 'neither the Response nor the Assertion is signed');
  let signedResponseEl: Element | undefined;
  let signedAssertionEl: Element | undefined;
  for (const site of sites) {
    const canonical = verifySignatureSite(parsed.xml, site, certificatesPem);
    if (site.signedElement === parsed.response) {
      signedResponseEl = reparseSignedElement(canonical, NS.protocol, 'Response', site.id, limits);
    } else {
      signedAssertionEl = reparseSignedElement(canonical, NS.assertion, 'Assertion', site.id, limits);
    }
  }

  let signedResponse: SignedResponseInfo | undefined;
  let assertionEl = signedAssertionEl;
  if (signedResponseEl) {
    const inner = childElements(signedResponseEl, NS.assertion, 'Assertion');
    if (inner.length !== 1)
      throw new SamlRejection('bad_structure', 'the signed Response must contain exactly one Assertion');
    assertionEl ??= inner[0]!;
    checkStatus(signedResponseEl);
    const issuerEl = childElements(signedResponseEl, NS.assertion, 'Issuer')[0];
    signedResponse = {
      id: signedResponseEl.getAttribute('ID') ?? '',
      destination: signedResponseEl.hasAttribute('Destination')
        ? signedResponseEl.getAttribute('Destination')!
        : undefined,
      issuer: issuerEl ? simpleText(issuerEl) : undefined,
      inResponseTo: signedResponseEl.hasAttribute('InResponseTo')
        ? signedResponseEl.getAttribute('InResponseTo')!
        : undefined,
    };
  } else {
    // Only the Assertion is signed, so the Response's status is unauthenticated: it may only make us refuse.
    checkStatus(parsed.response);
  }
  if (!assertionEl) throw new SamlRejection('unsigned', 'no signature covers the Assertion');
  const assertion = readAssertion(assertionEl);
  if (signedResponse?.issuer !== undefined && signedResponse.issuer !== assertion.issuer) {
    throw new SamlRejection('bad_value', 'the Response and Assertion issuers differ');
  }
  return { assertion, signedResponse, assertionSigned: signedAssertionEl !== undefined };
}

function checkStatus(response: Element): void {
  const status = childElements(response, NS.protocol, 'Status');
  if (status.length !== 1) throw new SamlRejection('bad_structure', 'the Response must have exactly one Status');
  const code = childElements(status[0]!, NS.protocol, 'StatusCode');
  if (code.length !== 1) throw new SamlRejection('bad_structure', 'the Status must have exactly one StatusCode');
  const value = code[0]!.getAttribute('Value');
  if (value !== STATUS_SUCCESS) throw new SamlRejection('status_not_success', `the IdP answered status ${value}`);
}
