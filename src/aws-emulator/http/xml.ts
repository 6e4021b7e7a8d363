/**
 * A small XML builder that escapes by construction: element names are checked, text and attribute values
 * are always escaped, and characters XML 1.0 cannot carry are refused rather than passed through.
 */
export type XmlContent = XmlElement | string | number | boolean | null | undefined | readonly XmlContent[];

export class XmlElement {
  constructor(
    readonly name: string,
    readonly attributes: Readonly<Record<string, string>>,
    readonly children: readonly XmlContent[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid XML element name: ${name}`);
    for (const attr of Object.keys(attributes))
      if (!NAME.test(attr)) throw new Error(`invalid XML attribute name: ${attr}`);
  }
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
// XML 1.0 Char production minus the surrogate blocks (a lone surrogate is not representable either).
const NOT_XML_CHAR = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Free text that may repeat a caller's input (error messages): characters XML 1.0 cannot carry are written as
 * `U+XXXX`, so echoing a bad value explains it instead of failing to render (the builder refuses them).
 */
export function xmlSafeText(value: string): string {
  return value.replace(
    new RegExp(NOT_XML_CHAR.source, 'gu'),
    (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** An element; `undefined`/`null` children are skipped so optional members can be passed as-is. */
export function el(name: string, ...children: XmlContent[]): XmlElement {
  return new XmlElement(name, {}, children);
}

export function elAttrs(
  name: string,
  attributes: Readonly<Record<string, string>>,
  ...children: XmlContent[]
): XmlElement {
  return new XmlElement(name, attributes, children);
}

/** An element that is left out entirely when its value is absent (optional output members). */
export function optional(name: string, value: string | number | boolean | null | undefined): XmlElement | undefined {
  return value === undefined || value === null ? undefined : el(name, value);
}

export function escapeText(value: string): string {
  assertXmlChars(value);
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  assertXmlChars(value);
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

function assertXmlChars(value: string): void {
  if (NOT_XML_CHAR.test(value)) throw new Error('value contains a character XML cannot represent');
}

export function renderXml(content: XmlContent): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return escapeText(content);
  if (typeof content === 'number' || typeof content === 'boolean') return String(content);
  if (content instanceof XmlElement) {
    const attrs = Object.entries(content.attributes)
      .map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`)
      .join('');
    const inner = content.children.map(renderXml).join('');
    return inner === '' ? `<${content.name}${attrs}/>` : `<${content.name}${attrs}>${inner}</${content.name}>`;
  }
  return (content as readonly XmlContent[]).map(renderXml).join('');
}
