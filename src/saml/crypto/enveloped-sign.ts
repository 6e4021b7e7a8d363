/**
 * Enveloped XML signatures over elements Keyway emitted in exclusive canonical form (see
 * xml/canonical-writer.ts for why). Because the element text *is* its canonical form with the signature
 * removed, the Reference digest is a hash of that text, and SignedInfo is emitted canonically too (with its
 * own `xmlns:ds`, as exc-c14n renders it when SignedInfo is the apex), so one RSA operation remains.
 */
import { createHash, sign } from 'node:crypto';
import { ALG } from '../constants.js';
import { signatureAlgorithmByName, type AlgorithmPolicy, type SignatureAlgorithmName } from './algorithms.js';
import type { SigningCredential } from './credential.js';
import { element, protectLineSeparators, startTag, textElement } from '../xml/canonical-writer.js';
import { DS } from '../xml/ns-decls.js';

/** An element split around the point where its signature goes (right after its Issuer, SAML core 5.4.1). */
export interface SignableElement {
  readonly id: string;
  /** Start tag plus everything up to and including `<saml:Issuer>…</saml:Issuer>`. */
  readonly head: string;
  /** Everything after the Issuer, including the end tag. */
  readonly tail: string;
}

export interface SignOptions extends AlgorithmPolicy {
  readonly credential: SigningCredential;
  readonly algorithm?: SignatureAlgorithmName;
}

const empty = (name: string, algorithm: string) => element(name, [['Algorithm', algorithm]], '');

/**
 * SignedInfo around the two values that change per signature (Reference URI and DigestValue), written once per
 * algorithm with the canonical writer and cut at sample values.
 */
interface SignedInfoTemplate {
  readonly beforeId: string;
  readonly beforeDigest: string;
  readonly end: string;
}
const templates = new Map<SignatureAlgorithmName, SignedInfoTemplate>();

function signedInfoTemplate(name: SignatureAlgorithmName, uri: string, digestUri: string): SignedInfoTemplate {
  const hit = templates.get(name);
  if (hit) return hit;
  const write = (id: string, digest: string) =>
    empty('ds:CanonicalizationMethod', ALG.excC14n) +
    empty('ds:SignatureMethod', uri) +
    element(
      'ds:Reference',
      [['URI', id]],
      element('ds:Transforms', [], empty('ds:Transform', ALG.enveloped) + empty('ds:Transform', ALG.excC14n)) +
        empty('ds:DigestMethod', digestUri) +
        textElement('ds:DigestValue', [], digest),
    );
  // Written once with sample values, then cut at them: IDs (NCNames) and base64 digests never need escaping.
  const sample = write('#KEYWAY_ID', 'KEYWAY_DIGEST');
  const [beforeId, rest] = splitOnce(sample, 'KEYWAY_ID');
  const [beforeDigest, end] = splitOnce(rest, 'KEYWAY_DIGEST');
  const t = { beforeId, beforeDigest, end };
  templates.set(name, t);
  return t;
}

function splitOnce(s: string, marker: string): [string, string] {
  const i = s.indexOf(marker);
  if (i < 0 || s.indexOf(marker, i + 1) >= 0) throw new Error('SignedInfo template marker not found exactly once');
  return [s.slice(0, i), s.slice(i + marker.length)];
}

const keyInfos = new WeakMap<SigningCredential, string>();
function keyInfoOf(credential: SigningCredential): string {
  let k = keyInfos.get(credential);
  if (k === undefined) {
    k = element(
      'ds:KeyInfo',
      [],
      element('ds:X509Data', [], textElement('ds:X509Certificate', [], credential.certificateBase64)),
    );
    keyInfos.set(credential, k);
  }
  return k;
}

/** Returns the element with a `<ds:Signature>` inserted after its Issuer. */
export function signElement(el: SignableElement, opts: SignOptions): string {
  const alg = signatureAlgorithmByName(opts.algorithm ?? 'rsa-sha256', opts);
  if (!/^[A-Za-z_][\w.-]*$/.test(el.id)) throw new Error('signElement: the ID must be an NCName');
  const digest = createHash(alg.hash).update(el.head).update(el.tail).digest('base64');
  const t = signedInfoTemplate(alg.name, alg.uri, alg.digestUri);
  const signedInfoBody = t.beforeId + el.id + t.beforeDigest + digest + t.end;
  const canonicalSignedInfo = SIGNED_INFO_OPEN_CANONICAL + signedInfoBody + SIGNED_INFO_CLOSE;
  const signatureValue = sign(alg.hash, Buffer.from(canonicalSignedInfo, 'utf8'), opts.credential.privateKey).toString(
    'base64',
  );
  return (
    el.head +
    SIGNATURE_OPEN +
    SIGNED_INFO_OPEN +
    signedInfoBody +
    SIGNED_INFO_CLOSE +
    textElement('ds:SignatureValue', [], signatureValue) +
    keyInfoOf(opts.credential) +
    SIGNATURE_CLOSE +
    el.tail
  );
}

const SIGNED_INFO_OPEN_CANONICAL = startTag('ds:SignedInfo', [], [DS]);
const SIGNED_INFO_OPEN = startTag('ds:SignedInfo');
const SIGNED_INFO_CLOSE = '</ds:SignedInfo>';
const SIGNATURE_OPEN = startTag('ds:Signature', [], [DS]);
const SIGNATURE_CLOSE = '</ds:Signature>';

/**
 * The last step of every outbound protocol message: signed when `signing` is given, line separators protected,
 * and base64 of the UTF-8 XML for the HTTP-POST binding.
 */
export function finishMessage(
  el: SignableElement,
  signing: SignOptions | undefined,
): { readonly id: string; readonly xml: string; readonly base64: string } {
  const xml = protectLineSeparators(signing ? signElement(el, signing) : el.head + el.tail);
  return { id: el.id, xml, base64: Buffer.from(xml, 'utf8').toString('base64') };
}
