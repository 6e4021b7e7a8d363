/**
 * Writes XML that is already in exclusive canonical form (W3C xml-exc-c14n), so a signed element can be
 * digested as emitted, with no DOM, XPath or canonicalisation pass.
 *
 * Why hand-written: no maintained JavaScript library emits exclusive-C14N by construction; the generic path
 * (build a DOM, canonicalise it, then sign) spends about 90% of its time outside RSA (docs/contributing.md, "Peers
 * worth knowing"; "Limits
 * measured"). This writer is only ever used for XML that Keyway itself produces; XML from outside is always
 * verified and canonicalised by xml-crypto. The rules it relies on (checked by property tests against
 * xml-crypto and xmlsec1):
 * - attributes in a fixed order: namespace declarations first (sorted by prefix), then unqualified attributes
 *   sorted by name (Keyway emits no namespace-qualified attributes);
 * - no self-closing tags and no whitespace between elements;
 * - text escapes `& < >` and CR; attribute values escape `& < "` and TAB, LF, CR;
 * - a namespace is declared on an element only where the element visibly uses it and no output ancestor
 *   declared it (the templates pass `ns` exactly there);
 * - characters XML cannot carry are refused, so no value can forge markup.
 * One deviation, made only after all digests are computed: `protectLineSeparators` turns U+0085 and U+2028 into
 * character references, because xmldom (and so xml-crypto) applies XML 1.1 line-end normalisation to them
 * and would otherwise read a different value than libxml2. A character reference parses to the character
 * itself, whose canonical form is the literal character the digest was computed over.
 */
import { SamlError } from '../errors.js';

export type Attr = readonly [name: string, value: string | undefined];
export type NsDecl = readonly [prefix: string, uri: string];

/** Anything outside XML 1.0 `Char`: C0 controls other than TAB/LF/CR, lone surrogates, U+FFFE and U+FFFF. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<"\t\n\r]/;

export function assertXmlChars(value: string, what: string): void {
  if (NOT_XML_CHAR.test(value)) {
    throw new SamlError('invalid_xml_char', `${what} contains a character that XML cannot carry.`);
  }
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const TEXT_SPECIAL_ALL = /[&<>\r]/g;
const ATTR_SPECIAL_ALL = /[&<"\t\n\r]/g;

export function escapeText(value: string): string {
  assertXmlChars(value, 'A value');
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_ALL, (c) => TEXT_ESCAPES[c]!) : value;
}

export function escapeAttr(value: string): string {
  assertXmlChars(value, 'An attribute value');
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_ALL, (c) => ATTR_ESCAPES[c]!) : value;
}

const byFirst = (a: readonly [string, unknown], b: readonly [string, unknown]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** The start tag in canonical form. Attributes whose value is `undefined` are omitted. */
export function startTag(name: string, attrs: readonly Attr[] = [], ns: readonly NsDecl[] = []): string {
  let tag = `<${name}`;
  const decls = ns.length > 1 ? [...ns].sort(byFirst) : ns;
  for (const [prefix, uri] of decls) tag += `${(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`) + escapeAttr(uri)}"`;
  const present = attrs.filter((a): a is readonly [string, string] => a[1] !== undefined);
  if (present.length > 1) present.sort(byFirst);
  for (const [n, v] of present) {
    if (n.includes(':')) throw new Error(`canonical writer: qualified attribute ${n} is not supported`);
    tag += ` ${n}="${escapeAttr(v)}"`;
  }
  return `${tag}>`;
}

/** An element whose content is already-canonical markup. */
export function element(name: string, attrs: readonly Attr[], content: string, ns: readonly NsDecl[] = []): string {
  return `${startTag(name, attrs, ns) + content}</${name}>`;
}

/** An element holding text, escaped here. */
export function textElement(name: string, attrs: readonly Attr[], text: string, ns: readonly NsDecl[] = []): string {
  return `${startTag(name, attrs, ns) + escapeText(text)}</${name}>`;
}

/** SAML instants: UTC, second precision (xs:dateTime, SAML core 1.3.3). */
export function instant(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 19)}Z`;
}

const XML11_LINE_ENDS = /[\u0085\u2028]/;
const XML11_LINE_ENDS_ALL = /[\u0085\u2028]/g;

/** See the module comment: applied to finished, signed output only (markup itself is ASCII). */
export function protectLineSeparators(xml: string): string {
  return XML11_LINE_ENDS.test(xml)
    ? xml.replace(XML11_LINE_ENDS_ALL, (c) => (c === '\u0085' ? '&#x85;' : '&#x2028;'))
    : xml;
}
