/**
 * A `<samlp:Response>` without an assertion, carrying a failure status (SAML core 3.2.2.2), e.g.
 * Requester/InvalidNameIDPolicy or Responder/RequestDenied. Only send it when `samlStatusFor(error).respondToSp`.
 */
import { SamlError } from '../errors.js';
import type { SignatureAlgorithmName } from '../crypto/algorithms.js';
import type { SigningCredential } from '../crypto/credential.js';
import { signElement } from '../crypto/enveloped-sign.js';
import { instant, protectLineSeparators, startTag, textElement } from '../xml/canonical-writer.js';
import { SAML, SAMLP } from '../xml/ns-decls.js';
import { newSamlId } from './ids.js';
import { statusElement, type StatusInput } from './status.js';

export interface ErrorResponseOptions {
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo?: string;
  readonly status: StatusInput;
  readonly now?: Date;
  /** Signed by default when a credential is given (SPs may require signed responses even for errors). */
  readonly signing?: { readonly credential: SigningCredential; readonly algorithm?: SignatureAlgorithmName; readonly allowSha1?: boolean };
}

export interface BuiltErrorResponse {
  readonly xml: string;
  readonly base64: string;
  readonly responseId: string;
}

export function buildErrorResponse(opts: ErrorResponseOptions): BuiltErrorResponse {
  if (!opts.status.code || opts.status.code.endsWith(':Success')) {
    throw new SamlError('invalid_field', 'An error response needs a failure status code.');
  }
  const id = newSamlId();
  const head =
    startTag(
      'samlp:Response',
      [
        ['Destination', opts.destination],
        ['ID', id],
        ['InResponseTo', opts.inResponseTo],
        ['IssueInstant', instant(opts.now ?? new Date())],
        ['Version', '2.0'],
      ],
      [SAMLP],
    ) + textElement('saml:Issuer', [], opts.issuer, [SAML]);
  const tail = statusElement(opts.status) + '</samlp:Response>';
  const xml = protectLineSeparators(opts.signing ? signElement({ id, head, tail }, opts.signing) : head + tail);
  return { xml, base64: Buffer.from(xml, 'utf8').toString('base64'), responseId: id };
}
