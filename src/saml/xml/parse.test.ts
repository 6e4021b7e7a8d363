import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SamlErrorCode } from '../errors.js';
import { parseXml } from './parse.js';
import { DEFAULT_XML_LIMITS } from './limits.js';

const refuses = (xml: string, code: SamlErrorCode, limits = DEFAULT_XML_LIMITS) =>
  assert.throws(() => parseXml(xml, limits), { code }, xml.slice(0, 80));

describe('parseXml: refuses unusual input before any cryptography (docs/security.md, SAML rules 2 and 5)', () => {
  it('accepts a plain document with an XML declaration', () => {
    assert.equal(
      parseXml('<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x"><b c="1">t</b></a>').documentElement?.localName,
      'a',
    );
  });

  it('refuses DOCTYPE and entity declarations in any spelling or position', () => {
    refuses('<!DOCTYPE a><a/>', 'dtd_forbidden');
    refuses('<!doctype a><a/>', 'dtd_forbidden');
    refuses(
      '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>',
      'dtd_forbidden',
    );
    refuses('<a><!ENTITY x "y"></a>', 'dtd_forbidden');
  });

  it('refuses undeclared entity references as a parser error', () => {
    refuses('<a>&nbsp;</a>', 'malformed_xml');
  });

  it('refuses processing instructions other than the leading XML declaration', () => {
    refuses('<a><?php echo 1 ?></a>', 'processing_instruction_forbidden');
    refuses('<?xml-stylesheet href="x"?><a/>', 'processing_instruction_forbidden');
    refuses('<a/><?after x?>', 'processing_instruction_forbidden');
  });

  it('refuses more than one root, unclosed tags, duplicate attributes and unbound prefixes', () => {
    refuses('<a/><b/>', 'malformed_xml');
    refuses('<a><b></a>', 'malformed_xml');
    refuses('<a x="1" x="2"/>', 'malformed_xml');
    refuses('<p:a/>', 'malformed_xml');
    refuses('', 'malformed_xml');
  });

  it('enforces size, depth, attribute-count and element-count limits', () => {
    const limits = { maxBytes: 1000, maxDepth: 5, maxAttributesPerElement: 3, maxElements: 10 };
    refuses(`<a>${'x'.repeat(1000)}</a>`, 'too_large', limits);
    refuses('<a><a><a><a><a><a/></a></a></a></a></a>', 'too_deep', limits);
    parseXml('<a><a><a><a><a/></a></a></a></a>', limits);
    refuses('<a p="1" q="2" r="3" s="4"/>', 'too_many_attributes', limits);
    refuses(`<a>${'<b/>'.repeat(10)}</a>`, 'too_large', limits);
  });

  it('counts size in UTF-8 bytes, not UTF-16 code units', () => {
    refuses(`<a>${'é'.repeat(600)}</a>`, 'too_large', { ...DEFAULT_XML_LIMITS, maxBytes: 1000 });
  });

  it('keeps U+2028 and U+0085 as characters (XML 1.0 line ends only)', () => {
    const doc = parseXml('<a b="x\u2028y">p\u0085q\r\nr</a>');
    assert.equal(doc.documentElement!.getAttribute('b'), 'x\u2028y');
    assert.equal(doc.documentElement!.textContent, 'p\u0085q\nr');
  });
});
