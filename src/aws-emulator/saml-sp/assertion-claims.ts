/**
 * Reads the values of a SAML 2.0 Assertion (SAML core §2) from an element that was re-parsed from verified bytes.
 * Nothing here ever looks at the document the client sent.
 */
import type { Element } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import { SamlRejection } from './errors.js';
import { childElements, hasElementChild, simpleText } from './xml-guard.js';

export interface SamlNameId {
  readonly value: string;
  readonly format: string | undefined;
  readonly nameQualifier: string | undefined;
  readonly spNameQualifier: string | undefined;
}

export interface SamlSubjectConfirmation {
  readonly method: string;
  readonly recipient: string | undefined;
  /** Epoch milliseconds. */
  readonly notBefore: number | undefined;
  readonly notOnOrAfter: number | undefined;
  readonly inResponseTo: string | undefined;
}

export interface SamlConditions {
  readonly notBefore: number | undefined;
  readonly notOnOrAfter: number | undefined;
  /** One entry per AudienceRestriction; SAML core §2.5.1.4: every restriction must be met, by any of its audiences. */
  readonly audienceRestrictions: readonly (readonly string[])[];
}

export interface SamlAssertion {
  readonly id: string;
  readonly issueInstant: number;
  readonly issuer: string;
  /** Absent when the assertion has no Subject (AWS then answers AccessDenied). */
  readonly nameId: SamlNameId | undefined;
  readonly subjectConfirmations: readonly SamlSubjectConfirmation[];
  readonly conditions: SamlConditions | undefined;
  /** The earliest AuthnStatement/@SessionNotOnOrAfter, if any. */
  readonly sessionNotOnOrAfter: number | undefined;
  /** Attribute values by Name (case-sensitive); several Attribute elements with the same Name are merged in order. */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** xs:dateTime with an explicit zone (SAML core §1.3.3 requires UTC), to epoch milliseconds. */
export function parseSamlTime(value: string | null, what: string): number | undefined {
  if (value === null) return undefined;
  if (!DATE_TIME.test(value))
    throw new SamlRejection('bad_value', `${what} ${JSON.stringify(value)} is not an xs:dateTime in UTC`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SamlRejection('bad_value', `${what} is not a valid time`);
  return ms;
}

function optionalAttr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name)! : undefined;
}

function atMostOne(parent: Element, name: string): Element | undefined {
  const found = childElements(parent, NS.assertion, name);
  if (found.length > 1) throw new SamlRejection('bad_structure', `more than one <${name}> in <${parent.localName}>`);
  return found[0];
}

export function readAssertion(assertion: Element): SamlAssertion {
  if (assertion.getAttribute('Version') !== '2.0')
    throw new SamlRejection('bad_value', 'Assertion Version must be 2.0');
  const id = assertion.getAttribute('ID') ?? '';
  if (id === '') throw new SamlRejection('bad_value', 'Assertion has no ID');
  const issueInstant = parseSamlTime(assertion.getAttribute('IssueInstant'), 'Assertion IssueInstant');
  if (issueInstant === undefined) throw new SamlRejection('bad_value', 'Assertion has no IssueInstant');
  const issuerEl = atMostOne(assertion, 'Issuer');
  if (!issuerEl) throw new SamlRejection('bad_value', 'Assertion has no Issuer');
  const issuer = simpleText(issuerEl);

  let nameId: SamlNameId | undefined;
  const confirmations: SamlSubjectConfirmation[] = [];
  const subject = atMostOne(assertion, 'Subject');
  if (subject) {
    if (childElements(subject, NS.assertion, 'EncryptedID').length > 0)
      throw new SamlRejection('bad_value', 'encrypted NameIDs are not supported');
    if (childElements(subject, NS.assertion, 'BaseID').length > 0)
      throw new SamlRejection('bad_value', 'BaseID is not supported');
    const nameIdEl = atMostOne(subject, 'NameID');
    if (nameIdEl) {
      nameId = {
        value: simpleText(nameIdEl),
        format: optionalAttr(nameIdEl, 'Format'),
        nameQualifier: optionalAttr(nameIdEl, 'NameQualifier'),
        spNameQualifier: optionalAttr(nameIdEl, 'SPNameQualifier'),
      };
    }
    for (const sc of childElements(subject, NS.assertion, 'SubjectConfirmation')) {
      const data = childElements(sc, NS.assertion, 'SubjectConfirmationData');
      if (data.length > 1) throw new SamlRejection('bad_structure', 'more than one SubjectConfirmationData');
      const d = data[0];
      confirmations.push({
        method: sc.getAttribute('Method') ?? '',
        recipient: d ? optionalAttr(d, 'Recipient') : undefined,
        notBefore: d ? parseSamlTime(d.getAttribute('NotBefore'), 'SubjectConfirmationData NotBefore') : undefined,
        notOnOrAfter: d
          ? parseSamlTime(d.getAttribute('NotOnOrAfter'), 'SubjectConfirmationData NotOnOrAfter')
          : undefined,
        inResponseTo: d ? optionalAttr(d, 'InResponseTo') : undefined,
      });
    }
  }

  let conditions: SamlConditions | undefined;
  const conditionsEl = atMostOne(assertion, 'Conditions');
  if (conditionsEl) {
    conditions = {
      notBefore: parseSamlTime(conditionsEl.getAttribute('NotBefore'), 'Conditions NotBefore'),
      notOnOrAfter: parseSamlTime(conditionsEl.getAttribute('NotOnOrAfter'), 'Conditions NotOnOrAfter'),
      audienceRestrictions: childElements(conditionsEl, NS.assertion, 'AudienceRestriction').map((r) =>
        childElements(r, NS.assertion, 'Audience').map(simpleText),
      ),
    };
  }

  let sessionNotOnOrAfter: number | undefined;
  for (const authn of childElements(assertion, NS.assertion, 'AuthnStatement')) {
    const t = parseSamlTime(authn.getAttribute('SessionNotOnOrAfter'), 'AuthnStatement SessionNotOnOrAfter');
    if (t !== undefined) sessionNotOnOrAfter = sessionNotOnOrAfter === undefined ? t : Math.min(sessionNotOnOrAfter, t);
  }

  const attributes = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    if (childElements(statement, NS.assertion, 'EncryptedAttribute').length > 0) {
      throw new SamlRejection('bad_value', 'encrypted attributes are not supported');
    }
    for (const attribute of childElements(statement, NS.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name') ?? '';
      if (name === '') throw new SamlRejection('bad_value', 'an Attribute has no Name');
      const values = attributes.get(name) ?? [];
      for (const valueEl of childElements(attribute, NS.assertion, 'AttributeValue')) {
        // Complex values (elements inside AttributeValue) are only refused when they are read as text below.
        if (hasElementChild(valueEl)) {
          if (name.startsWith('https://aws.amazon.com/SAML/Attributes/')) {
            throw new SamlRejection('bad_value', `${name} values must be text`);
          }
          continue;
        }
        values.push(simpleText(valueEl));
      }
      attributes.set(name, values);
    }
  }

  return {
    id,
    issueInstant,
    issuer,
    nameId,
    subjectConfirmations: confirmations,
    conditions,
    sessionNotOnOrAfter,
    attributes,
  };
}
