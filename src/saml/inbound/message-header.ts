/** The attributes every SAML request and response shares (SAML core 3.2.1, 3.2.2), and its Issuer. */
import type { Element } from '@xmldom/xmldom';
import { NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { optionalAttr, optionalChild, parseInstant, requiredAttr, textOf } from '../xml/dom.js';

export interface MessageHeader {
  readonly id: string;
  readonly issueInstant: Date;
  readonly destination?: string;
}

export function readRequestHeader(root: Element): MessageHeader {
  const version = requiredAttr(root, 'Version');
  if (version !== '2.0') throw new SamlError('unexpected_message', 'Only SAML 2.0 messages are accepted.');
  const id = requiredAttr(root, 'ID');
  if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id))
    throw new SamlError('invalid_field', 'The message ID is not a valid identifier.');
  return {
    id,
    issueInstant: parseInstant(requiredAttr(root, 'IssueInstant'), 'IssueInstant'),
    destination: optionalAttr(root, 'Destination'),
  };
}

/** The message's Issuer (an entity ID). Required: Keyway must know which SP speaks (SAML profiles 4.1.4.1). */
export function readIssuer(root: Element): string {
  const el = optionalChild(root, NS.saml, 'Issuer');
  if (!el) throw new SamlError('missing_field', 'The message has no Issuer.');
  const format = optionalAttr(el, 'Format');
  if (format !== undefined && format !== 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity') {
    throw new SamlError('invalid_field', 'The Issuer must be an entity identifier.');
  }
  const issuer = textOf(el).trim();
  if (issuer === '' || issuer.length > 1024) throw new SamlError('invalid_field', 'The Issuer is empty or too long.');
  return issuer;
}
