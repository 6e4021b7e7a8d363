import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { el, elAttrs, optional, renderXml } from './xml.js';

test('escapes text and attribute values by construction, so hostile values stay data', () => {
  const hostile = `</Arn><Injected a="1">&amp;'"\t\n`;
  const xml = renderXml(
    elAttrs(
      'Root',
      { note: hostile },
      el('Arn', hostile),
      el('Count', 3),
      el('Flag', false),
      optional('Absent', undefined),
    ),
  );
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  assert.equal(root?.getAttribute('note'), hostile);
  assert.equal(root?.getElementsByTagName('Arn')[0]?.textContent, hostile);
  assert.equal(root?.getElementsByTagName('Injected').length, 0);
  assert.equal(root?.getElementsByTagName('Absent').length, 0);
  assert.match(xml, /<Count>3<\/Count><Flag>false<\/Flag>/);
});

test('refuses characters XML 1.0 cannot carry instead of emitting a broken document', () => {
  assert.throws(() => renderXml(el('A', 'bell\u0007')), /cannot represent/);
  assert.throws(() => renderXml(el('A', 'lone \ud800 surrogate')), /cannot represent/);
  assert.equal(renderXml(el('A', 'emoji 😀 ok')), '<A>emoji 😀 ok</A>');
});

test('refuses element and attribute names that are not XML names', () => {
  assert.throws(() => el('bad name'), /invalid XML element name/);
  assert.throws(() => el('x><y'), /invalid XML element name/);
  assert.throws(() => elAttrs('ok', { 'a b': 'x' }), /invalid XML attribute name/);
});

test('renders an empty element self-closed and nested lists in order', () => {
  assert.equal(
    renderXml(el('Roles', [el('member', 'a'), el('member', 'b')], [])),
    '<Roles><member>a</member><member>b</member></Roles>',
  );
  assert.equal(renderXml(el('Empty')), '<Empty/>');
});
