/**
 * Verification of enveloped XML signatures on messages from outside, done by xml-crypto (never by hand), after
 * the shape checks of docs/security.md, SAML rule 2, and with the trust anchors of rule 3 (configured certificates
 * only; KeyInfo is ignored). The caller then reads values only from `signedXml`, the exact canonical bytes the
 * signature covers, re-parsed (rule 1).
 */
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALG, NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { childElements, childrenNamed, isElement, requiredAttr } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import type { XmlLimits } from '../xml/limits.js';
import { digestAlgorithmByUri, signatureAlgorithmByUri, type AlgorithmPolicy } from './algorithms.js';
import { toPem } from './credential.js';

export interface EnvelopedVerifyOptions extends AlgorithmPolicy {
  /** Certificates (PEM or base64 DER) from configuration; the signature must verify with one of them. */
  readonly certificates: readonly string[];
  readonly limits?: XmlLimits;
}

export interface VerifiedElement {
  /** The canonical bytes the signature covers (the signed element without its signature). */
  readonly signedXml: string;
  /** `signedXml` re-parsed: the only element identity-bearing values may be read from. */
  readonly element: Element;
  readonly signatureAlgorithm: string;
  /** The configured certificate that verified the signature (PEM). */
  readonly certificate: string;
}

/** All `<ds:Signature>` elements anywhere in the document. */
export function signaturesIn(doc: Document): Element[] {
  return Array.from(doc.getElementsByTagNameNS(NS.ds, 'Signature'));
}

/**
 * The signature of a message that may carry exactly one, as a direct child of the root (AuthnRequest,
 * LogoutRequest, LogoutResponse). Any other placement or count is a wrapping shape.
 */
export function rootSignature(doc: Document): Element | undefined {
  const all = signaturesIn(doc);
  if (all.length === 0) return undefined;
  const root = doc.documentElement;
  if (all.length > 1 || !root || all[0]!.parentNode !== root) {
    throw new SamlError('signature_wrapping', 'The message signature is not where it must be.');
  }
  return all[0];
}

/** Checks the signature's structure: one SignedInfo, one Reference to the parent's ID, allowed transforms only. */
function checkSignatureShape(signature: Element, target: Element, policy: AlgorithmPolicy): string {
  const wrapping = (why: string) =>
    new SamlError('signature_wrapping', 'The message signature has an unexpected shape.', why);
  if (signature.parentNode !== target) throw wrapping('signature is not a direct child of the signed element');
  const signedInfos = childrenNamed(signature, NS.ds, 'SignedInfo');
  if (signedInfos.length !== 1) throw wrapping('SignedInfo count');
  if (childrenNamed(signature, NS.ds, 'SignatureValue').length !== 1) throw wrapping('SignatureValue count');
  for (const c of childElements(signature)) {
    if (!(c.namespaceURI === NS.ds && ['SignedInfo', 'SignatureValue', 'KeyInfo'].includes(c.localName ?? ''))) {
      throw wrapping(`unexpected ${c.localName} in Signature`);
    }
  }
  const signedInfo = signedInfos[0]!;
  const c14n = childrenNamed(signedInfo, NS.ds, 'CanonicalizationMethod');
  if (c14n.length !== 1 || c14n[0]!.getAttribute('Algorithm') !== ALG.excC14n) {
    throw new SamlError('algorithm_refused', 'Only exclusive canonicalisation is accepted.');
  }
  const methods = childrenNamed(signedInfo, NS.ds, 'SignatureMethod');
  if (methods.length !== 1) throw wrapping('SignatureMethod count');
  const signatureAlgorithm = requiredAttr(methods[0]!, 'Algorithm');
  signatureAlgorithmByUri(signatureAlgorithm, policy);
  const references = childrenNamed(signedInfo, NS.ds, 'Reference');
  if (references.length !== 1) throw wrapping('Reference count');
  const reference = references[0]!;
  const id = target.getAttribute('ID');
  if (!id || reference.getAttribute('URI') !== `#${id}`) {
    throw new SamlError('signature_wrapping', 'The signature does not cover the element it sits in.');
  }
  const transformsEls = childrenNamed(reference, NS.ds, 'Transforms');
  if (transformsEls.length > 1) throw wrapping('Transforms count');
  const transforms = transformsEls[0] ? childrenNamed(transformsEls[0], NS.ds, 'Transform') : [];
  if (transformsEls[0] && childElements(transformsEls[0]).length !== transforms.length)
    throw wrapping('foreign element in Transforms');
  const algs = transforms.map((t) => t.getAttribute('Algorithm'));
  if (
    algs.length === 0 ||
    algs.length > 2 ||
    algs[0] !== ALG.enveloped ||
    (algs.length === 2 && algs[1] !== ALG.excC14n)
  ) {
    throw new SamlError(
      'algorithm_refused',
      'Only the enveloped-signature and exclusive canonicalisation transforms are accepted.',
    );
  }
  const digestMethods = childrenNamed(reference, NS.ds, 'DigestMethod');
  const digestValues = childrenNamed(reference, NS.ds, 'DigestValue');
  if (digestMethods.length !== 1 || digestValues.length !== 1) throw wrapping('DigestMethod/DigestValue count');
  digestAlgorithmByUri(requiredAttr(digestMethods[0]!, 'Algorithm'), policy);
  return signatureAlgorithm;
}

/**
 * Verifies `signature` (a direct child of `target`) over `xml`, the exact text `target`'s document was parsed
 * from. Returns the signed bytes re-parsed, whose root must be the same element (name, namespace and ID).
 */
export function verifyEnvelopedSignature(
  xml: string,
  target: Element,
  signature: Element,
  opts: EnvelopedVerifyOptions,
): VerifiedElement {
  const signatureAlgorithm = checkSignatureShape(signature, target, opts);
  if (opts.certificates.length === 0)
    throw new SamlError('signature_invalid', 'No certificate is configured to check the signature.');
  let lastError: string | undefined;
  for (const certificate of opts.certificates) {
    const pem = toPem(certificate);
    // getCertFromKeyInfo returning null makes xml-crypto use only publicCert: the key never comes from the message.
    const verifier = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    let valid = false;
    try {
      verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      valid = verifier.checkSignature(xml);
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      continue;
    }
    if (!valid) continue;
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1 || !signed[0])
      throw new SamlError('signature_wrapping', 'The signature does not cover exactly one element.');
    const signedXml = signed[0];
    const element = parseXml(signedXml, opts.limits).documentElement!;
    if (
      !isElement(element, target.namespaceURI ?? '', target.localName ?? '') ||
      element.getAttribute('ID') !== target.getAttribute('ID')
    ) {
      throw new SamlError('signature_wrapping', 'The signature covers a different element than the one used.');
    }
    return { signedXml, element, signatureAlgorithm, certificate: pem };
  }
  throw new SamlError('signature_invalid', 'The message signature is not valid.', lastError);
}
