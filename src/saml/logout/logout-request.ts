/**
 * `<samlp:LogoutRequest>` (SAML core 3.7.1): built by Keyway for IdP-initiated logout and for propagating an
 * SP-initiated one, and read from SPs. Single Logout profile 4.4.
 */
import type { Element } from '@xmldom/xmldom';
import { NS } from '../constants.js';
import { SamlError } from '../errors.js';
import type { SignatureAlgorithmName } from '../crypto/algorithms.js';
import type { SigningCredential } from '../crypto/credential.js';
import { finishMessage } from '../crypto/enveloped-sign.js';
import { instant, startTag, textElement } from '../xml/canonical-writer.js';
import { childrenNamed, optionalAttr, parseInstant, requiredChild, textOf } from '../xml/dom.js';
import { SAML, SAMLP } from '../xml/ns-decls.js';
import { newSamlId } from '../response/ids.js';
import { readIssuer, readRequestHeader } from '../inbound/message-header.js';

export interface OutboundSigning {
  readonly credential: SigningCredential;
  readonly algorithm?: SignatureAlgorithmName;
  readonly allowSha1?: boolean;
}

export interface LogoutNameId {
  readonly value: string;
  readonly format?: string;
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
}

export interface LogoutRequestOptions {
  readonly issuer: string;
  /** The SP's SingleLogoutService URL. */
  readonly destination: string;
  /** The NameID exactly as it was sent in the assertion. */
  readonly nameId: LogoutNameId;
  /** The SessionIndex values the SP got in its assertions. */
  readonly sessionIndexes?: readonly string[];
  readonly reason?: string;
  readonly now?: Date;
  /** How long the request stays valid; default 300 s. */
  readonly lifetimeSeconds?: number;
  /**
   * Enveloped signature, for the HTTP-POST binding. For HTTP-Redirect leave this out and pass the signing
   * options to `encodeRedirect` instead (the signature then travels in the query string).
   */
  readonly signing?: OutboundSigning;
}

export interface BuiltMessage {
  readonly id: string;
  readonly xml: string;
  /** Base64 of the UTF-8 XML, for the HTTP-POST binding. */
  readonly base64: string;
}

export function buildLogoutRequest(opts: LogoutRequestOptions): BuiltMessage {
  const id = newSamlId();
  const now = opts.now ?? new Date();
  const head =
    startTag(
      'samlp:LogoutRequest',
      [
        ['Destination', opts.destination],
        ['ID', id],
        ['IssueInstant', instant(now)],
        ['NotOnOrAfter', instant(new Date(now.getTime() + (opts.lifetimeSeconds ?? 300) * 1000))],
        ['Reason', opts.reason],
        ['Version', '2.0'],
      ],
      [SAMLP],
    ) + textElement('saml:Issuer', [], opts.issuer, [SAML]);
  const tail =
    textElement(
      'saml:NameID',
      [
        ['Format', opts.nameId.format],
        ['NameQualifier', opts.nameId.nameQualifier],
        ['SPNameQualifier', opts.nameId.spNameQualifier],
      ],
      opts.nameId.value,
      [SAML],
    ) +
    (opts.sessionIndexes ?? []).map((s) => textElement('samlp:SessionIndex', [], s)).join('') +
    '</samlp:LogoutRequest>';
  return finishMessage({ id, head, tail }, opts.signing);
}

export interface LogoutRequest {
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant: Date;
  readonly destination?: string;
  readonly notOnOrAfter?: Date;
  readonly reason?: string;
  readonly nameId: LogoutNameId;
  readonly sessionIndexes: readonly string[];
}

export function readLogoutRequest(root: Element): LogoutRequest {
  if (root.namespaceURI !== NS.samlp || root.localName !== 'LogoutRequest') {
    throw new SamlError('unexpected_message', 'The message is not a LogoutRequest.');
  }
  if (childrenNamed(root, NS.saml, 'EncryptedID').length > 0 || childrenNamed(root, NS.saml, 'BaseID').length > 0) {
    throw new SamlError('invalid_field', 'Only a plain NameID is accepted in a LogoutRequest.');
  }
  const nameIdEl = requiredChild(root, NS.saml, 'NameID');
  const notOnOrAfter = optionalAttr(root, 'NotOnOrAfter');
  return {
    ...readRequestHeader(root),
    issuer: readIssuer(root),
    notOnOrAfter: notOnOrAfter === undefined ? undefined : parseInstant(notOnOrAfter, 'NotOnOrAfter'),
    reason: optionalAttr(root, 'Reason'),
    nameId: {
      value: textOf(nameIdEl),
      format: optionalAttr(nameIdEl, 'Format'),
      nameQualifier: optionalAttr(nameIdEl, 'NameQualifier'),
      spNameQualifier: optionalAttr(nameIdEl, 'SPNameQualifier'),
    },
    sessionIndexes: childrenNamed(root, NS.samlp, 'SessionIndex').map(textOf),
  };
}
