/** `<samlp:Status>` (SAML core 3.2.2.1) in canonical form, shared by error Responses and LogoutResponses. */
import { STATUS } from '../constants.js';
import { element, textElement } from '../xml/canonical-writer.js';

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
