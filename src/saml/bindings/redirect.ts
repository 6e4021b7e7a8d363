/**
 * HTTP-Redirect binding (SAML bindings 3.4): DEFLATE + base64 + URL-encoding, with the signature in the query
 * string. The signature covers the URL-encoded octets exactly as received (3.4.4.1), so the raw query string is
 * split by hand instead of through a URL parser that would re-encode.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { SamlError } from '../errors.js';
import {
  signatureAlgorithmByName,
  signatureAlgorithmByUri,
  type AlgorithmPolicy,
  type SignatureAlgorithmName,
} from '../crypto/algorithms.js';
import { publicKeyOf, type SigningCredential } from '../crypto/credential.js';
import { decodeBase64, decodeUtf8, inflate } from './codec.js';
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from './limits.js';

export type MessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectSignature {
  /** The SigAlg URI, decoded. */
  readonly sigAlg: string;
  readonly value: Buffer;
  /** `SAMLRequest=…[&RelayState=…]&SigAlg=…` with the values exactly as received. */
  readonly signedOctets: Buffer;
}

export interface DecodedMessage {
  readonly xml: string;
  readonly relayState?: string;
  /** Present for Redirect messages that carry a query-string signature. */
  readonly redirectSignature?: RedirectSignature;
}

const KNOWN = new Set(['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature']);

function formDecode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new SamlError('bad_encoding', 'The query string is not valid URL encoding.');
  }
}

/** Decodes a Redirect-binding message from the raw query string (the part after `?`, undecoded). */
export function decodeRedirectMessage(
  rawQuery: string,
  param: MessageParam,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
): DecodedMessage {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query.length > limits.maxEncodedLength + 4096) throw new SamlError('too_large', 'The message is too large.');
  const raw = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (!KNOWN.has(name)) continue;
    if (raw.has(name)) throw new SamlError('duplicate_parameter', `The ${name} parameter appears more than once.`);
    raw.set(name, eq < 0 ? '' : pair.slice(eq + 1));
  }
  const encoded = raw.get(param);
  if (encoded === undefined || encoded === '')
    throw new SamlError('missing_parameter', `The ${param} parameter is missing.`);
  if (raw.has(param === 'SAMLRequest' ? 'SAMLResponse' : 'SAMLRequest')) {
    throw new SamlError('duplicate_parameter', 'A message carries both SAMLRequest and SAMLResponse.');
  }
  if (encoded.length > limits.maxEncodedLength) throw new SamlError('too_large', 'The message is too large.');
  const xml = decodeUtf8(inflate(decodeBase64(formDecode(encoded)), limits.xml.maxBytes));
  const relayRaw = raw.get('RelayState');
  const relayState = relayRaw === undefined ? undefined : formDecode(relayRaw);

  const sigRaw = raw.get('Signature');
  const sigAlgRaw = raw.get('SigAlg');
  if (sigRaw === undefined && sigAlgRaw === undefined) return { xml, relayState };
  if (!sigRaw || !sigAlgRaw)
    throw new SamlError('signature_invalid', 'A query-string signature needs both SigAlg and Signature.');
  const signedOctets = `${param}=${encoded}${relayRaw !== undefined ? `&RelayState=${relayRaw}` : ''}&SigAlg=${sigAlgRaw}`;
  return {
    xml,
    relayState,
    redirectSignature: {
      sigAlg: formDecode(sigAlgRaw),
      value: decodeBase64(formDecode(sigRaw)),
      signedOctets: Buffer.from(signedOctets, 'utf8'),
    },
  };
}

export interface RedirectVerifyOptions extends AlgorithmPolicy {
  /** The SP's signing certificates from configuration (never from the message). */
  readonly certificates: readonly string[];
}

/** Verifies a query-string signature (SAML bindings 3.4.4.1) with one of the configured certificates. */
export function verifyRedirectSignature(sig: RedirectSignature, opts: RedirectVerifyOptions): void {
  const alg = signatureAlgorithmByUri(sig.sigAlg, opts);
  for (const cert of opts.certificates) {
    const key: KeyObject = publicKeyOf(cert);
    if (verify(alg.hash, sig.signedOctets, key, sig.value)) return;
  }
  throw new SamlError('signature_invalid', 'The message signature is not valid.');
}

export interface RedirectEncodeOptions {
  /** The SP endpoint; an existing query string is kept. */
  readonly destination: string;
  readonly param: MessageParam;
  /** The message XML, unsigned (the Redirect binding carries the signature in the query string). */
  readonly xml: string;
  readonly relayState?: string;
  readonly signing?: {
    readonly credential: SigningCredential;
    readonly algorithm?: SignatureAlgorithmName;
    readonly allowSha1?: boolean;
  };
}

/** Builds the URL to redirect the browser to, signed per SAML bindings 3.4.4.1 when `signing` is given. */
export function encodeRedirect(opts: RedirectEncodeOptions): string {
  if (opts.relayState !== undefined && Buffer.byteLength(opts.relayState, 'utf8') > 80) {
    throw new SamlError('relay_state_too_long', 'RelayState must not exceed 80 bytes.');
  }
  const message = encodeURIComponent(deflateRawSync(Buffer.from(opts.xml, 'utf8')).toString('base64'));
  let query = `${opts.param}=${message}`;
  if (opts.relayState !== undefined) query += `&RelayState=${encodeURIComponent(opts.relayState)}`;
  if (opts.signing) {
    const alg = signatureAlgorithmByName(opts.signing.algorithm ?? 'rsa-sha256', opts.signing);
    query += `&SigAlg=${encodeURIComponent(alg.uri)}`;
    const signature = sign(alg.hash, Buffer.from(query, 'utf8'), opts.signing.credential.privateKey);
    query += `&Signature=${encodeURIComponent(signature.toString('base64'))}`;
  }
  return opts.destination + (opts.destination.includes('?') ? '&' : '?') + query;
}
