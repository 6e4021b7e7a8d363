import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import {
  element,
  escapeAttr,
  escapeText,
  instant,
  protectLineSeparators,
  startTag,
  textElement,
} from './canonical-writer.js';

function c14n(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return new ExclusiveCanonicalization().process(
    doc.documentElement as unknown as Parameters<ExclusiveCanonicalization['process']>[0],
    {},
  );
}

const PIECES = [
  '&',
  '<',
  '>',
  '"',
  "'",
  '\t',
  '\n',
  '\r',
  '\r\n',
  ']]>',
  '&amp;',
  'é',
  '東',
  '😀',
  ' ',
  'plain',
  '<!--',
  '?>',
  '=',
  '\u00a0',
];

describe('canonical writer (W3C exc-c14n by construction)', () => {
  it('escapes text and attribute values exactly as exclusive canonicalisation does (C14N 1.0 §2.3)', () => {
    assert.equal(escapeText(`a&b<c>d"e'f\tg\nh\ri`), `a&amp;b&lt;c&gt;d"e'f\tg\nh&#xD;i`);
    assert.equal(escapeAttr(`a&b<c>d"e'f\tg\nh\ri`), `a&amp;b&lt;c>d&quot;e'f&#x9;g&#xA;h&#xD;i`);
  });

  it('property: every element it writes is already canonical, for hostile text and attribute values', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 300; i++) {
      const value = Array.from({ length: 1 + (rnd() % 8) }, () => PIECES[rnd() % PIECES.length]).join('');
      const xml = element(
        'p:Root',
        [
          ['Zeta', value],
          ['Alpha', 'a'],
          ['Mid', undefined],
          ['ID', '_x'],
        ],
        textElement('p:Child', [['V', value]], value) + element('q:Other', [], '', [['q', 'urn:q']]),
        [['p', 'urn:p']],
      );
      assert.equal(c14n(xml), xml, JSON.stringify(value));
    }
  });

  it('sorts namespace declarations before attributes and attributes by name, omitting undefined ones', () => {
    assert.equal(
      startTag(
        'x:E',
        [
          ['b', '2'],
          ['A', '1'],
          ['c', undefined],
        ],
        [
          ['z', 'urn:z'],
          ['x', 'urn:x'],
        ],
      ),
      '<x:E xmlns:x="urn:x" xmlns:z="urn:z" A="1" b="2">',
    );
  });

  it('refuses characters XML cannot carry (XML 1.0 §2.2)', () => {
    for (const bad of ['\u0000', '\u0001', '\u000b', '\u001f', '\ud800', '\udfff', 'a\ud83d', '\ufffe', '\uffff']) {
      assert.throws(() => escapeText(bad), { code: 'invalid_xml_char' }, JSON.stringify(bad));
      assert.throws(() => escapeAttr(bad), { code: 'invalid_xml_char' });
    }
    assert.equal(escapeText('\ud83d\ude00'), '😀');
  });

  it('writes instants in UTC at second precision (SAML core 1.3.3)', () => {
    assert.equal(instant(new Date('2026-03-04T05:06:07.890Z')), '2026-03-04T05:06:07Z');
  });

  it('turns U+0085 and U+2028 into character references only after signing', () => {
    assert.equal(protectLineSeparators('<a b="\u2028">\u0085</a>'), '<a b="&#x2028;">&#x85;</a>');
    assert.equal(c14n(protectLineSeparators('<a b="\u2028">\u0085</a>')), '<a b="\u2028">\u0085</a>');
  });
});
