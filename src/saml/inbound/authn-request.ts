/** Reads an `<samlp:AuthnRequest>` (SAML core 3.4.1) into a typed value. Only ever given the signed element when signed. */
import type { Element } from '@xmldom/xmldom';
import { NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { childrenNamed, optionalAttr, optionalChild, parseBooleanAttr, textOf } from '../xml/dom.js';
import { readIssuer, readRequestHeader } from './message-header.js';

export interface NameIdPolicy {
  readonly format?: string;
  readonly allowCreate?: boolean;
  readonly spNameQualifier?: string;
}

export interface AuthnRequest {
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant: Date;
  readonly destination?: string;
  readonly acsUrl?: string;
  readonly acsIndex?: number;
  readonly protocolBinding?: string;
  readonly nameIdPolicy?: NameIdPolicy;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
  readonly requestedAuthnContext?: { readonly comparison: string; readonly classRefs: readonly string[] };
}

export function readAuthnRequest(root: Element): AuthnRequest {
  if (root.namespaceURI !== NS.samlp || root.localName !== 'AuthnRequest') {
    throw new SamlError('unexpected_message', 'The message is not an AuthnRequest.');
  }
  const header = readRequestHeader(root);
  const acsUrl = optionalAttr(root, 'AssertionConsumerServiceURL');
  const acsIndexRaw = optionalAttr(root, 'AssertionConsumerServiceIndex');
  if (acsUrl !== undefined && acsIndexRaw !== undefined) {
    throw new SamlError(
      'invalid_field',
      'AssertionConsumerServiceURL and AssertionConsumerServiceIndex are mutually exclusive.',
    );
  }
  let acsIndex: number | undefined;
  if (acsIndexRaw !== undefined) {
    if (!/^\d{1,5}$/.test(acsIndexRaw))
      throw new SamlError('invalid_field', 'AssertionConsumerServiceIndex is not a small unsigned integer.');
    acsIndex = Number(acsIndexRaw);
  }
  const policyEl = optionalChild(root, NS.samlp, 'NameIDPolicy');
  const nameIdPolicy = policyEl
    ? {
        format: optionalAttr(policyEl, 'Format'),
        allowCreate: parseBooleanAttr(policyEl, 'AllowCreate'),
        spNameQualifier: optionalAttr(policyEl, 'SPNameQualifier'),
      }
    : undefined;
  const racEl = optionalChild(root, NS.samlp, 'RequestedAuthnContext');
  const requestedAuthnContext = racEl
    ? {
        comparison: optionalAttr(racEl, 'Comparison') ?? 'exact',
        classRefs: childrenNamed(racEl, NS.saml, 'AuthnContextClassRef').map(textOf),
      }
    : undefined;
  return {
    ...header,
    issuer: readIssuer(root),
    acsUrl,
    acsIndex,
    protocolBinding: optionalAttr(root, 'ProtocolBinding'),
    nameIdPolicy,
    forceAuthn: parseBooleanAttr(root, 'ForceAuthn') ?? false,
    isPassive: parseBooleanAttr(root, 'IsPassive') ?? false,
    requestedAuthnContext,
  };
}
