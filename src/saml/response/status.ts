/** `<samlp:Status>` (SAML core 3.2.2.1) in canonical form, shared by error Responses and LogoutResponses. */
import { STATUS } from '../constants.js';
import { finishMessage, type SignOptions } from '../crypto/enveloped-sign.js';
import { element, instant, startTag, textElement } from '../xml/canonical-writer.js';
import { SAML, SAMLP } from '../xml/ns-decls.js';
import { newSamlId } from './ids.js';

export interface StatusInput {
  /** Top-level status code URI; `STATUS.success` when omitted. */
  readonly code?: string;
  readonly subCode?: string;
  readonly message?: string;
}

export function statusElement(status: StatusInput): string {
  const sub = status.subCode ? element('samlp:StatusCode', [['Value', status.subCode]], '') : '';
  return element(
    'samlp:Status',
    [],
    element('samlp:StatusCode', [['Value', status.code ?? STATUS.success]], sub) +
      (status.message ? textElement('samlp:StatusMessage', [], status.message) : ''),
  );
}

export interface StatusResponseOptions {
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo?: string;
  readonly status: StatusInput;
  readonly now?: Date;
  readonly signing?: SignOptions;
}

/**
 * A StatusResponseType message (SAML core 3.2.2) holding only Issuer and Status: the skeleton of both an
 * assertion-less error `<samlp:Response>` and a `<samlp:LogoutResponse>`.
 */
export function buildStatusResponse(
  name: 'samlp:Response' | 'samlp:LogoutResponse',
  opts: StatusResponseOptions,
): { readonly id: string; readonly xml: string; readonly base64: string } {
  const id = newSamlId();
  const head =
    startTag(
      name,
      [
        ['Destination', opts.destination],
        ['ID', id],
        ['InResponseTo', opts.inResponseTo],
        ['IssueInstant', instant(opts.now ?? new Date())],
        ['Version', '2.0'],
      ],
      [SAMLP],
    ) + textElement('saml:Issuer', [], opts.issuer, [SAML]);
  const tail = `${statusElement(opts.status)}</${name}>`;
  return finishMessage({ id, head, tail }, opts.signing);
}
