/**
 * Enveloped XML signatures on a SAML Response or Assertion: refuse every unusual shape before cryptography
 * (docs/security.md, SAML rule 2), verify with xml-crypto against the metadata's certificates only (rule 3, KeyInfo is
 * ignored), and hand back the canonical bytes the signature covers, re-parsed, so nothing outside them is read.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALG, NS } from './namespaces.js';
import { SamlRejection } from './errors.js';
import { childElements, parseStrictXml, type XmlLimits } from './xml-guard.js';

export interface SignaturePolicy {
  /**
   * RSA-SHA1 and SHA-1 digests are refused unless this documented switch is on (AWS does not document it:
   * docs/aws-facts.md).
   */
  readonly allowSha1: boolean;
}

export const DEFAULT_SIGNATURE_POLICY: SignaturePolicy = { allowSha1: false };

export interface SignatureSite {
  /** The element the signature is a direct child of, and signs (a Response or an Assertion). */
  readonly signedElement: Element;
  readonly signature: Element;
  readonly id: string;
}

const SIGNATURE_METHODS = new Set<string>([ALG.rsaSha256, ALG.rsaSha512]);
const DIGEST_METHODS = new Set<string>([ALG.sha256, ALG.sha512]);

function one(parent: Element, ns: string, name: string, what: string): Element {
  const found = childElements(parent, ns, name);
  if (found.length !== 1)
    throw new SamlRejection('bad_signature_shape', `${what} must contain exactly one <${name}>, found ${found.length}`);
  return found[0]!;
}

function onlyChildren(parent: Element, allowed: ReadonlyArray<readonly [string, string]>): void {
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.TEXT_NODE && /^[ \t\r\n]*$/.test(child.nodeValue ?? '')) continue;
    if (child.nodeType === child.COMMENT_NODE) continue;
    const el = child as Element;
    if (
      child.nodeType !== child.ELEMENT_NODE ||
      !allowed.some(([ns, name]) => el.namespaceURI === ns && el.localName === name)
    ) {
      throw new SamlRejection('bad_signature_shape', `unexpected content inside <${parent.localName}>`);
    }
  }
}

/**
 * Finds every ds:Signature in the document and checks that each sits directly inside one of `signable`, at most
 * one per element, with exactly one SignedInfo/Reference/DigestValue whose URI is `#<ID of that element>` and only
 * the enveloped-signature and exclusive C14N transforms.
 */
export function locateSignatures(
  doc: Document,
  signable: readonly Element[],
  policy: SignaturePolicy,
): SignatureSite[] {
  const all = doc.getElementsByTagNameNS(NS.dsig, 'Signature');
  const sites: SignatureSite[] = [];
  for (let i = 0; i < all.length; i++) {
    const signature = all.item(i)!;
    const parent = signature.parentNode as Element | null;
    if (!parent || !signable.includes(parent)) {
      throw new SamlRejection(
        'bad_signature_shape',
        'a Signature must be a direct child of the Response or the Assertion it signs',
      );
    }
    if (sites.some((s) => s.signedElement === parent)) {
      throw new SamlRejection('bad_signature_shape', `more than one Signature inside <${parent.localName}>`);
    }
    const id = parent.getAttribute('ID') ?? '';
    if (id === '') throw new SamlRejection('bad_signature_shape', `a signed <${parent.localName}> must carry an ID`);
    checkSignatureShape(signature, id, policy);
    sites.push({ signedElement: parent, signature, id });
  }
  return sites;
}

function checkSignatureShape(signature: Element, id: string, policy: SignaturePolicy): void {
  onlyChildren(signature, [
    [NS.dsig, 'SignedInfo'],
    [NS.dsig, 'SignatureValue'],
    [NS.dsig, 'KeyInfo'],
  ]);
  one(signature, NS.dsig, 'SignatureValue', 'Signature');
  if (childElements(signature, NS.dsig, 'KeyInfo').length > 1)
    throw new SamlRejection('bad_signature_shape', 'more than one KeyInfo');
  const signedInfo = one(signature, NS.dsig, 'SignedInfo', 'Signature');
  onlyChildren(signedInfo, [
    [NS.dsig, 'CanonicalizationMethod'],
    [NS.dsig, 'SignatureMethod'],
    [NS.dsig, 'Reference'],
  ]);
  const c14n = one(signedInfo, NS.dsig, 'CanonicalizationMethod', 'SignedInfo').getAttribute('Algorithm');
  if (c14n !== ALG.excC14n)
    throw new SamlRejection('bad_signature_shape', `SignedInfo canonicalization ${c14n} is not exclusive C14N`);
  const method = one(signedInfo, NS.dsig, 'SignatureMethod', 'SignedInfo').getAttribute('Algorithm') ?? '';
  if (!(SIGNATURE_METHODS.has(method) || (policy.allowSha1 && method === ALG.rsaSha1))) {
    throw new SamlRejection('bad_signature_shape', `signature method ${method} is not allowed`);
  }
  const reference = one(signedInfo, NS.dsig, 'Reference', 'SignedInfo');
  if (reference.getAttribute('URI') !== `#${id}`) {
    throw new SamlRejection(
      'bad_signature_shape',
      `Reference URI ${JSON.stringify(reference.getAttribute('URI'))} is not #${id}`,
    );
  }
  onlyChildren(reference, [
    [NS.dsig, 'Transforms'],
    [NS.dsig, 'DigestMethod'],
    [NS.dsig, 'DigestValue'],
  ]);
  const digest = one(reference, NS.dsig, 'DigestMethod', 'Reference').getAttribute('Algorithm') ?? '';
  if (!(DIGEST_METHODS.has(digest) || (policy.allowSha1 && digest === ALG.sha1))) {
    throw new SamlRejection('bad_signature_shape', `digest method ${digest} is not allowed`);
  }
  one(reference, NS.dsig, 'DigestValue', 'Reference');
  const transforms = childElements(one(reference, NS.dsig, 'Transforms', 'Reference'), NS.dsig, 'Transform');
  const algorithms = transforms.map((t) => t.getAttribute('Algorithm'));
  if (algorithms.length !== 2 || algorithms[0] !== ALG.enveloped || algorithms[1] !== ALG.excC14n) {
    throw new SamlRejection(
      'bad_signature_shape',
      `transforms must be enveloped-signature then exclusive C14N, got ${algorithms.join(', ')}`,
    );
  }
  // The enveloped transform takes no parameters; xml-crypto-based signers still copy an InclusiveNamespaces
  // element into it, which the transform ignores, so that (and only that) is tolerated.
  for (let child = transforms[0]!.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE && (child as Element).localName !== 'InclusiveNamespaces') {
      throw new SamlRejection('bad_signature_shape', 'the enveloped-signature transform takes no parameters');
    }
  }
}

/**
 * Verifies one signature against the trusted certificates (PEM). Returns the canonical XML of the signed element
 * (the signature itself removed by the enveloped transform, comments dropped by exclusive C14N).
 */
// SHA-1 and HMAC are refused by locateSignatures' allow-lists, which run before this.
export function verifySignatureSite(xml: string, site: SignatureSite, certificatesPem: readonly string[]): string {
  if (certificatesPem.length === 0)
    throw new SamlRejection('signature_invalid', 'the provider metadata has no signing certificate');
  let lastError = 'no certificate verified the signature';
  for (const cert of certificatesPem) {
    const verifier = new SignedXml({
      publicCert: cert,
      // Trust anchors come from the provider's metadata only; a certificate carried in KeyInfo is never used.
      getCertFromKeyInfo: () => null,
    });
    let ok = false;
    try {
      verifier.loadSignature(site.signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      ok = verifier.checkSignature(xml);
    } catch (error) {
      lastError = (error as Error).message.slice(0, 200);
      continue;
    }
    if (!ok) {
      // A digest mismatch fails the same way whatever the key, so no other certificate can help.
      throw new SamlRejection('signature_invalid', 'the digest of the signed element does not match');
    }
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1) throw new SamlRejection('signature_invalid', 'expected exactly one signed reference');
    return signed[0]!;
  }
  throw new SamlRejection('signature_invalid', lastError);
}

/** Re-parses the verified canonical bytes and checks they are the element the signature named. */
export function reparseSignedElement(
  canonical: string,
  ns: string,
  localName: string,
  id: string,
  limits: XmlLimits,
): Element {
  const { root } = parseStrictXml(canonical, limits);
  if (root.namespaceURI !== ns || root.localName !== localName || root.getAttribute('ID') !== id) {
    throw new SamlRejection('signature_invalid', `the signed bytes are not the ${localName} with ID ${id}`);
  }
  return root;
}
