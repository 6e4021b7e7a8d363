/** `<samlp:LogoutResponse>` (SAML core 3.7.2): Keyway's answer to an SP's LogoutRequest, and SPs' answers to Keyway's. */
import type { Element } from '@xmldom/xmldom';
import { NS, STATUS } from '../constants.js';
import { SamlError } from '../errors.js';
import { optionalAttr, optionalChild, requiredAttr, requiredChild, textOf } from '../xml/dom.js';
import { buildStatusResponse, type StatusInput } from '../response/status.js';
import { readIssuer, readRequestHeader } from '../inbound/message-header.js';
import type { BuiltMessage, OutboundSigning } from './logout-request.js';

export interface LogoutResponseOptions {
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo: string;
  /** Success by default; `STATUS.partialLogout` as second level when some SPs could not be logged out. */
  readonly status?: StatusInput;
  readonly now?: Date;
  /** Enveloped signature for HTTP-POST; for HTTP-Redirect sign with `encodeRedirect` instead. */
  readonly signing?: OutboundSigning;
}

export function buildLogoutResponse(opts: LogoutResponseOptions): BuiltMessage {
  return buildStatusResponse('samlp:LogoutResponse', { ...opts, status: opts.status ?? { code: STATUS.success } });
}

export interface LogoutResponse {
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant: Date;
  readonly destination?: string;
  readonly inResponseTo: string;
  readonly status: { readonly code: string; readonly subCode?: string; readonly message?: string };
  readonly success: boolean;
}

export function readLogoutResponse(root: Element): LogoutResponse {
  if (root.namespaceURI !== NS.samlp || root.localName !== 'LogoutResponse') {
    throw new SamlError('unexpected_message', 'The message is not a LogoutResponse.');
  }
  const statusEl = requiredChild(root, NS.samlp, 'Status');
  const top = requiredChild(statusEl, NS.samlp, 'StatusCode');
  const sub = optionalChild(top, NS.samlp, 'StatusCode');
  const message = optionalChild(statusEl, NS.samlp, 'StatusMessage');
  const code = requiredAttr(top, 'Value');
  return {
    ...readRequestHeader(root),
    issuer: readIssuer(root),
    inResponseTo: requiredAttr(root, 'InResponseTo'),
    status: {
      code,
      subCode: sub ? optionalAttr(sub, 'Value') : undefined,
      message: message ? textOf(message) : undefined,
    },
    success: code === STATUS.success,
  };
}
