/** Small readers over a parsed DOM that enforce SAML's shapes: one element where one is expected, text without tricks. */
import type { CharacterData, Element } from '@xmldom/xmldom';
import { SamlError } from '../errors.js';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;

export function childElements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

export function isElement(el: Element, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

export function childrenNamed(parent: Element, ns: string, localName: string): Element[] {
  return childElements(parent).filter((c) => isElement(c, ns, localName));
}

/** At most one child with this name; more than one is an error (a classic wrapping shape). */
export function optionalChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = childrenNamed(parent, ns, localName);
  if (found.length > 1) {
    throw new SamlError('invalid_field', `The message has more than one ${localName} element.`);
  }
  return found[0];
}

export function requiredChild(parent: Element, ns: string, localName: string): Element {
  const found = optionalChild(parent, ns, localName);
  if (!found) throw new SamlError('missing_field', `The message has no ${localName} element.`);
  return found;
}

/**
 * The complete text of a value element. A comment splitting a value (`admin<!---->@evil`) is the classic way to
 * make two readers see different values, so comments and child elements inside values are refused outright.
 */
export function textOf(el: Element): string {
  let text = '';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) text += (c as CharacterData).data;
    else if (c.nodeType === COMMENT_NODE) {
      throw new SamlError('comment_in_value', `The ${el.localName} value contains a comment.`);
    } else {
      throw new SamlError('invalid_field', `The ${el.localName} value contains markup.`);
    }
  }
  return text;
}

export function optionalAttr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}

export function requiredAttr(el: Element, name: string): string {
  const v = optionalAttr(el, name);
  if (v === undefined || v === '') {
    throw new SamlError('missing_field', `The ${el.localName} element has no ${name} attribute.`);
  }
  return v;
}

export function parseBooleanAttr(el: Element, name: string): boolean | undefined {
  const v = optionalAttr(el, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new SamlError('invalid_field', `The ${name} attribute is not a boolean.`);
}

/** xs:dateTime in UTC, as SAML core 1.3.3 requires. */
export function parseInstant(value: string, what: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value)) {
    throw new SamlError('invalid_field', `${what} is not a UTC date-time.`);
  }
  const d = new Date(value.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  if (Number.isNaN(d.getTime())) throw new SamlError('invalid_field', `${what} is not a valid date-time.`);
  return d;
}

/**
 * Every ID-like attribute (`ID`, `Id`, `id`, in any namespace: xml-crypto matches on local name) must be unique;
 * duplicates let a verifier and a reader pick different nodes.
 */
export function assertUniqueIds(root: Element): void {
  const seen = new Set<string>();
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      const local = a.localName ?? a.name;
      if (local !== 'ID' && local !== 'Id' && local !== 'id') continue;
      if (seen.has(a.value)) throw new SamlError('duplicate_id', 'The message contains duplicate ID values.');
      seen.add(a.value);
    }
    stack.push(...childElements(el));
  }
}
