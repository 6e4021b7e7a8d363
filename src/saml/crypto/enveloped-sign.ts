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
import { element, textElement } from '../xml/canonical-writer.js';
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

/** Returns the element with a `<ds:Signature>` inserted after its Issuer. */
export function signElement(el: SignableElement, opts: SignOptions): string {
  const alg = signatureAlgorithmByName(opts.algorithm ?? 'rsa-sha256', opts);
  const digest = createHash(alg.hash).update(el.head).update(el.tail).digest('base64');
  const signedInfoBody =
    empty('ds:CanonicalizationMethod', ALG.excC14n) +
    empty('ds:SignatureMethod', alg.uri) +
    element(
      'ds:Reference',
      [['URI', '#' + el.id]],
      element('ds:Transforms', [], empty('ds:Transform', ALG.enveloped) + empty('ds:Transform', ALG.excC14n)) +
        empty('ds:DigestMethod', alg.digestUri) +
        textElement('ds:DigestValue', [], digest),
    );
  const canonicalSignedInfo = element('ds:SignedInfo', [], signedInfoBody, [DS]);
  const signatureValue = sign(alg.hash, Buffer.from(canonicalSignedInfo, 'utf8'), opts.credential.privateKey).toString('base64');
  const signature = element(
    'ds:Signature',
    [],
    element('ds:SignedInfo', [], signedInfoBody) +
      textElement('ds:SignatureValue', [], signatureValue) +
      element('ds:KeyInfo', [], element('ds:X509Data', [], textElement('ds:X509Certificate', [], opts.credential.certificateBase64))),
    [DS],
  );
  return el.head + signature + el.tail;
}
