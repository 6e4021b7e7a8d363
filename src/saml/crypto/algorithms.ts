/**
 * Algorithm allow-lists keyed by URI (docs/contributing.md, habit 7; docs/security.md, SAML rule 3). HMAC, MD5 and
 * anything not
 * listed are refused; SHA-1 only when the caller passes the documented `allowSha1` switch.
 */
import { ALG } from '../constants.js';
import { SamlError } from '../errors.js';

export type SignatureAlgorithmName = 'rsa-sha256' | 'rsa-sha512' | 'rsa-sha1';

interface SignatureAlgorithm {
  readonly name: SignatureAlgorithmName;
  readonly uri: string;
  /** node:crypto digest name. */
  readonly hash: 'sha256' | 'sha512' | 'sha1';
  readonly digestUri: string;
}

export const SIGNATURE_ALGORITHMS: Readonly<Record<SignatureAlgorithmName, SignatureAlgorithm>> = {
  'rsa-sha256': { name: 'rsa-sha256', uri: ALG.rsaSha256, hash: 'sha256', digestUri: ALG.sha256 },
  'rsa-sha512': { name: 'rsa-sha512', uri: ALG.rsaSha512, hash: 'sha512', digestUri: ALG.sha512 },
  'rsa-sha1': { name: 'rsa-sha1', uri: ALG.rsaSha1, hash: 'sha1', digestUri: ALG.sha1 },
};

const SIGNATURE_BY_URI = new Map(Object.values(SIGNATURE_ALGORITHMS).map((a) => [a.uri, a]));
const DIGEST_URIS = new Map<string, 'sha256' | 'sha512' | 'sha1'>([
  [ALG.sha256, 'sha256'],
  [ALG.sha512, 'sha512'],
  [ALG.sha1, 'sha1'],
]);

export interface AlgorithmPolicy {
  /** Accept SHA-1 signatures and digests. Off by default; only for SPs that cannot do better. */
  readonly allowSha1?: boolean;
}

export function signatureAlgorithmByName(name: SignatureAlgorithmName, policy: AlgorithmPolicy): SignatureAlgorithm {
  const alg = SIGNATURE_ALGORITHMS[name];
  if (alg.hash === 'sha1' && !policy.allowSha1) {
    throw new SamlError('sha1_refused', 'SHA-1 signatures are refused unless explicitly allowed.');
  }
  return alg;
}

export function signatureAlgorithmByUri(uri: string, policy: AlgorithmPolicy): SignatureAlgorithm {
  const alg = SIGNATURE_BY_URI.get(uri);
  if (!alg) throw new SamlError('algorithm_refused', 'The signature algorithm is not accepted.', uri);
  return signatureAlgorithmByName(alg.name, policy);
}

export function digestAlgorithmByUri(uri: string, policy: AlgorithmPolicy): 'sha256' | 'sha512' | 'sha1' {
  const hash = DIGEST_URIS.get(uri);
  if (!hash) throw new SamlError('algorithm_refused', 'The digest algorithm is not accepted.', uri);
  if (hash === 'sha1' && !policy.allowSha1) {
    throw new SamlError('sha1_refused', 'SHA-1 digests are refused unless explicitly allowed.');
  }
  return hash;
}
