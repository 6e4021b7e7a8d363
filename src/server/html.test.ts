import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, layout, personName, raw } from './html.js';
import { safeReturnTo } from './session.js';

test('escapes every interpolated value unless it is already Html, including inside attributes', () => {
  const name = `"><img src=x onerror=alert(1)>&'`;
  const out =
    html`<a title="${name}">${name}</a>${raw('<br>')}${[html`<i>${'<b>'}</i>`, '<u>']}${null}${undefined}${false}${0}`
      .value;
  assert.equal(
    out,
    `<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;</a><br><i>&lt;b&gt;</i>&lt;u&gt;0`,
  );
  assert.equal(escapeHtml('`'), '&#96;');
});

test('renders the common layout with the title, the sign-out form and its CSRF token only when signed in', () => {
  const page = layout({
    title: 'My <apps>',
    body: html`<p>hi</p>`,
    signedIn: { userName: 'ada', displayName: null, csrfToken: 'tok"en' },
  });
  assert.match(page, /<title>My &lt;apps&gt; · Keyway<\/title>/);
  assert.match(page, /<form class="signout" method="post" action="\/signout">/);
  assert.match(page, /name="csrf" value="tok&quot;en"/);
  assert.doesNotMatch(layout({ title: 't', body: html`` }), /signout/);
});

test('keeps returnTo on this origin: relative paths only, never scheme-relative, backslash or control characters', () => {
  assert.equal(safeReturnTo('/apps/x?y=1#z'), '/apps/x?y=1#z');
  for (const bad of [
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/a\nb',
    '/a\\b',
    '',
    undefined,
    42,
    `/${'a'.repeat(3000)}`,
  ]) {
    assert.equal(safeReturnTo(bad), '/', String(bad));
  }
});

test('a page calls a person by display name, else given and family names, else user name', () => {
  assert.equal(personName({ userName: 'ada', givenName: 'Ada', familyName: null, displayName: null }), 'Ada');
  assert.equal(personName({ userName: 'ada', givenName: 'Ada', familyName: 'Lovelace' }), 'Ada Lovelace');
  assert.equal(personName({ userName: 'ada', givenName: 'Ada', displayName: 'Countess' }), 'Countess');
  assert.equal(personName({ userName: 'ada', givenName: '', displayName: null }), 'ada');
  const page = layout({
    title: 't',
    body: html`<p>x</p>`,
    signedIn: { userName: 'ada', displayName: personName({ userName: 'ada', givenName: 'Ada' }), csrfToken: 'c' },
  });
  assert.match(page, /Signed in as <strong>Ada<\/strong>/);
});
