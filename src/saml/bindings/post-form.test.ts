import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildPostForm, postFormCsp, POST_FORM_SCRIPT_HASH } from './post-form.js';

describe('HTTP-POST binding form (SAML bindings 3.5.4)', () => {
  it('posts SAMLResponse and RelayState to the ACS with every value HTML-escaped', () => {
    const html = buildPostForm({
      action: 'https://sp.test/acs?a=1&b="2"',
      fields: { SAMLResponse: 'PHNhbWw+', RelayState: `"><script>alert(1)</script>'` },
    });
    assert.match(html, /<form id="saml-post" method="post" action="https:\/\/sp.test\/acs\?a=1&amp;b=&quot;2&quot;">/);
    assert.match(html, /name="SAMLResponse" value="PHNhbWw\+"/);
    assert.match(html, /name="RelayState" value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&#39;"/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('works without JavaScript: a visible Continue button submits the form', () => {
    const html = buildPostForm({ action: 'https://sp.test/acs', fields: { SAMLResponse: 'eA==' } });
    assert.match(html, /<button type="submit">Continue<\/button>/);
    assert.match(html, /<noscript>/);
  });

  it("allows the auto-submit script by hash, or by the caller's nonce, under a strict CSP", () => {
    const html = buildPostForm({ action: 'https://sp.test/acs', fields: { SAMLResponse: 'eA==' } });
    const script = /<script>(.*)<\/script>/.exec(html)![1]!;
    assert.equal(POST_FORM_SCRIPT_HASH, `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    assert.match(postFormCsp('https://sp.test/acs'), /script-src 'sha256-[^']+'; .*form-action https:\/\/sp.test;/);
    const nonce = 'r4nd0mN0nceValue123';
    assert.match(
      buildPostForm({ action: 'https://sp.test/acs', fields: {}, nonce }),
      new RegExp(`<script nonce="${nonce}">`),
    );
    assert.match(postFormCsp('https://sp.test/acs', nonce), new RegExp(`script-src 'nonce-${nonce}'`));
  });

  it('refuses a javascript: destination and a malformed nonce', () => {
    assert.throws(() => buildPostForm({ action: 'javascript:alert(1)', fields: {} }), { code: 'invalid_field' });
    assert.throws(() => buildPostForm({ action: 'not a url', fields: {} }), { code: 'invalid_field' });
    assert.throws(() => buildPostForm({ action: 'https://sp.test/acs', fields: {}, nonce: '"><x' }), {
      code: 'invalid_field',
    });
  });
});
