/**
 * The only way XML from outside enters Keyway's SAML code. @xmldom/xmldom is the same parser xml-crypto uses,
 * so the bytes we inspect and the bytes the signature library verifies are read identically (no parser
 * differential). Anything unusual is refused before any cryptography (docs/security.md, SAML rules 2 and 5).
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SamlError } from '../errors.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';

const ELEMENT_NODE = 1;
const PROCESSING_INSTRUCTION_NODE = 7;
const DOCUMENT_TYPE_NODE = 10;
const ENTITY_NODE = 6;
const ENTITY_REFERENCE_NODE = 5;
const NOTATION_NODE = 12;

/** `<!DOCTYPE`, `<!ENTITY`, `<!ATTLIST`, … — any markup declaration; comments and CDATA are handled by the parser. */
const DECLARATION = /<!(?!--|\[CDATA\[)/;

export function parseXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  if (Buffer.byteLength(xml, 'utf8') > limits.maxBytes) {
    throw new SamlError('too_large', 'The message is too large.', `over ${limits.maxBytes} bytes`);
  }
  if (DECLARATION.test(xml)) {
    throw new SamlError('dtd_forbidden', 'XML with a DOCTYPE or entity declaration is not accepted.');
  }
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      normalizeLineEndings: xml10LineEndings,
      onError: (level: string, message: string) => {
        problems.push(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'application/xml');
  } catch (e) {
    throw new SamlError(
      'malformed_xml',
      'The message is not well-formed XML.',
      e instanceof Error ? e.message : String(e),
    );
  }
  if (problems.length > 0) {
    throw new SamlError('malformed_xml', 'The message is not well-formed XML.', problems.join('; '));
  }
  checkShape(doc, limits);
  return doc;
}

/**
 * XML 1.0 §2.11: only CR LF and lone CR become LF. xmldom's default follows XML 1.1 and also rewrites U+0085
 * and U+2028, which would change values that a signer (and libxml2) treat as ordinary characters.
 */
function xml10LineEndings(source: string): string {
  return source.replace(/\r\n?/g, '\n');
}

function checkShape(doc: Document, limits: XmlLimits): void {
  let roots = 0;
  let position = 0;
  for (let n = doc.firstChild; n; n = n.nextSibling, position++) {
    if (n.nodeType === ELEMENT_NODE) roots++;
    else if (n.nodeType === PROCESSING_INSTRUCTION_NODE) {
      // The XML declaration shows up as a PI named "xml"; it is allowed only as the very first node.
      if (!(position === 0 && n.nodeName === 'xml')) {
        throw new SamlError('processing_instruction_forbidden', 'XML processing instructions are not accepted.');
      }
    } else if (n.nodeType === DOCUMENT_TYPE_NODE) {
      throw new SamlError('dtd_forbidden', 'XML with a DOCTYPE or entity declaration is not accepted.');
    }
  }
  if (roots !== 1 || !doc.documentElement) {
    throw new SamlError('malformed_xml', 'The message must have exactly one root element.');
  }
  let elements = 0;
  const stack: Array<{ node: Node; depth: number }> = [{ node: doc.documentElement, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > limits.maxDepth) throw new SamlError('too_deep', 'The message nests elements too deeply.');
    if (++elements > limits.maxElements) throw new SamlError('too_large', 'The message has too many elements.');
    const attributes = (node as Element).attributes;
    if (attributes && attributes.length > limits.maxAttributesPerElement) {
      throw new SamlError('too_many_attributes', 'An element of the message has too many attributes.');
    }
    for (let c = node.firstChild; c; c = c.nextSibling) {
      switch (c.nodeType) {
        case ELEMENT_NODE:
          stack.push({ node: c, depth: depth + 1 });
          break;
        case PROCESSING_INSTRUCTION_NODE:
          throw new SamlError('processing_instruction_forbidden', 'XML processing instructions are not accepted.');
        case ENTITY_NODE:
        case ENTITY_REFERENCE_NODE:
        case NOTATION_NODE:
        case DOCUMENT_TYPE_NODE:
          throw new SamlError('dtd_forbidden', 'XML with a DOCTYPE or entity declaration is not accepted.');
        default:
          break;
      }
    }
  }
}
