/**
 * Strict XML intake for SAML messages (docs/security.md, SAML rules 2 and 5): size limits before parsing, no DTDs,
 * entities or processing instructions, no parser warnings, bounded depth and counts, one root, unique IDs.
 * Everything unusual is refused before any cryptography runs.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { DOMParser } from '@xmldom/xmldom';
import { SamlRejection } from './errors.js';

export interface XmlLimits {
  /** Largest accepted document, in bytes after base64 decoding. */
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
  readonly maxAttributesPerElement: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  // AWS caps SAMLAssertion at 100,000 base64 characters (botocore sts model), i.e. 75,000 bytes decoded.
  maxBytes: 75_000,
  maxDepth: 48,
  maxElements: 5_000,
  maxAttributesPerElement: 48,
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 (whitespace between characters tolerated, as form posts wrap lines) into UTF-8 text. */
export function decodeBase64Xml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): string {
  if (input.length > Math.ceil((limits.maxBytes * 4) / 3) + 4096) {
    throw new SamlRejection('too_large', `base64 input of ${input.length} characters is over the limit`);
  }
  const compact = input.replace(/[\t\n\r ]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new SamlRejection('malformed', 'the SAML message is not valid base64');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > limits.maxBytes) {
    throw new SamlRejection('too_large', `decoded SAML message of ${bytes.length} bytes is over the limit`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new SamlRejection('malformed', 'the SAML message is not UTF-8');
  }
}

const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.0\1([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])(?:UTF-8|utf-8)\3)?([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\5)?[ \t\r\n]*\?>/;

/** Refuses constructs SAML never needs, by looking at the raw text, so no parser quirk can let them through. */
function scanRawText(text: string): void {
  let body = text;
  if (body.startsWith('<?xml')) {
    const decl = XML_DECLARATION.exec(body);
    if (!decl) throw new SamlRejection('malformed', 'unsupported XML declaration (only version 1.0, UTF-8)');
    body = body.slice(decl[0].length);
  }
  if (body.includes('<?')) throw new SamlRejection('malformed', 'processing instructions are not allowed');
  // `<!` may only open a comment or a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST and NOTATION are refused.
  if (/<!(?!--|\[CDATA\[)/.test(body))
    throw new SamlRejection('malformed', 'DOCTYPE and entity declarations are not allowed');
  if (text.includes('\u0000')) throw new SamlRejection('malformed', 'NUL characters are not allowed');
}

const ID_ATTRIBUTE_NAMES = new Set(['ID', 'Id', 'id']);

export interface ParsedXml {
  readonly doc: Document;
  readonly root: Element;
}

/** Parses XML strictly and checks its shape. */
export function parseStrictXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): ParsedXml {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new SamlRejection('too_large', 'XML document is over the size limit');
  }
  scanRawText(text);
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        problems.push(`${level}: ${String(message).split('\n')[0]}`);
      },
    }).parseFromString(text, 'text/xml') as unknown as Document;
  } catch (error) {
    throw new SamlRejection('malformed', `XML parse error: ${(error as Error).message.split('\n')[0]}`);
  }
  if (problems.length > 0) throw new SamlRejection('malformed', `XML parser reported ${problems.join('; ')}`);
  return { doc, root: checkDocumentShape(doc, limits) };
}

function checkDocumentShape(doc: Document, limits: XmlLimits): Element {
  let roots = 0;
  let index = 0;
  for (let node = doc.firstChild; node; node = node.nextSibling, index++) {
    if (node.nodeType === node.ELEMENT_NODE) roots++;
    else if (node.nodeType === node.TEXT_NODE && /^[ \t\r\n]*$/.test(node.nodeValue ?? '')) continue;
    else if (node.nodeType === node.PROCESSING_INSTRUCTION_NODE && node.nodeName === 'xml' && index === 0) continue;
    else throw new SamlRejection('malformed', `unexpected node of type ${node.nodeType} outside the root element`);
  }
  const root = doc.documentElement;
  if (roots !== 1 || !root) throw new SamlRejection('malformed', 'the document must have exactly one root element');

  const ids = new Set<string>();
  let elements = 0;
  const stack: Array<{ el: Element; depth: number }> = [{ el: root, depth: 1 }];
  while (stack.length > 0) {
    const { el, depth } = stack.pop()!;
    if (++elements > limits.maxElements) throw new SamlRejection('too_large', 'too many XML elements');
    if (depth > limits.maxDepth) throw new SamlRejection('too_large', 'XML nesting is too deep');
    if (el.attributes.length > limits.maxAttributesPerElement)
      throw new SamlRejection('too_large', 'too many attributes on one element');
    for (let i = 0; i < el.attributes.length; i++) {
      const attr = el.attributes.item(i)!;
      if (ID_ATTRIBUTE_NAMES.has(attr.localName ?? attr.name)) {
        if (ids.has(attr.value))
          throw new SamlRejection('bad_structure', `duplicate ID value ${JSON.stringify(attr.value)}`);
        ids.add(attr.value);
      }
    }
    for (let child = el.firstChild; child; child = child.nextSibling) {
      switch (child.nodeType) {
        case child.ELEMENT_NODE:
          stack.push({ el: child as Element, depth: depth + 1 });
          break;
        case child.TEXT_NODE:
        case child.CDATA_SECTION_NODE:
        case child.COMMENT_NODE:
          break;
        default:
          throw new SamlRejection('malformed', `unexpected XML node of type ${child.nodeType}`);
      }
    }
  }
  return root;
}

/** Direct element children of `parent` with the given namespace and local name. */
export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (
      child.nodeType === child.ELEMENT_NODE &&
      (child as Element).namespaceURI === ns &&
      (child as Element).localName === localName
    ) {
      out.push(child as Element);
    }
  }
  return out;
}

/** Every element of the document (in document order) with the given namespace and local name. */
export function descendantElements(root: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (el: Element): void => {
    if (el.namespaceURI === ns && el.localName === localName) out.push(el);
    for (let child = el.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === child.ELEMENT_NODE) walk(child as Element);
    }
  };
  walk(root);
  return out;
}

/**
 * The whole character content of a simple-valued element: every text and CDATA node concatenated, so a comment
 * placed inside a value (`admin@example.com<!---->.evil`) can never cut it short. Elements inside are refused.
 */
export function simpleText(el: Element): string {
  let text = '';
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.TEXT_NODE || child.nodeType === child.CDATA_SECTION_NODE)
      text += child.nodeValue ?? '';
    else if (child.nodeType === child.ELEMENT_NODE) {
      throw new SamlRejection('bad_value', `<${el.localName}> must hold text only`);
    }
  }
  return text.trim();
}

export function hasElementChild(el: Element): boolean {
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE) return true;
  }
  return false;
}
