import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NS, STATUS } from '../constants.js';
import { SamlError, samlStatusFor } from '../errors.js';
import { verifyEnvelopedSignature } from '../crypto/enveloped-verify.js';
import { childrenNamed, requiredChild, textOf } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers, xmlsecVerify } from '../test-support/peers.js';
import { buildErrorResponse } from './error-response.js';

const idp = testKeyPair('idp');

describe('error responses (SAML core 3.2.2.2)', () => {
  it('carries the top-level and second-level status codes from samlStatusFor, signed', (t) => {
    const status = samlStatusFor(
      new SamlError('invalid_name_id_policy', 'The requested NameID format is not supported.'),
    );
    assert.equal(status.respondToSp, true);
    const r = buildErrorResponse({
      issuer: 'https://keyway.test/idp',
      destination: 'https://sp.test/acs',
      inResponseTo: '_r1',
      status,
      signing: { credential: idp.credential },
    });
    const doc = parseXml(r.xml);
    const root = doc.documentElement!;
    verifyEnvelopedSignature(r.xml, root, requiredChild(root, NS.ds, 'Signature'), {
      certificates: [idp.certificatePem],
    });
    const statusEl = requiredChild(root, NS.samlp, 'Status');
    const top = requiredChild(statusEl, NS.samlp, 'StatusCode');
    assert.equal(top.getAttribute('Value'), STATUS.requester);
    assert.equal(requiredChild(top, NS.samlp, 'StatusCode').getAttribute('Value'), STATUS.invalidNameIdPolicy);
    assert.equal(
      textOf(requiredChild(statusEl, NS.samlp, 'StatusMessage')),
      'The requested NameID format is not supported.',
    );
    assert.equal(childrenNamed(root, NS.saml, 'Assertion').length, 0);
    if (!needPeers(t, 'xmlsec1')) return;
    const res = xmlsecVerify([r.xml], idp.certificatePem, 'Response');
    assert.ok(res.ok, res.output);
  });

  it('maps errors that cannot be tied to a trusted SP endpoint to an error page, not a response', () => {
    for (const code of [
      'unknown_issuer',
      'acs_not_registered',
      'signature_invalid',
      'signature_wrapping',
      'dtd_forbidden',
      'replayed',
      'stale',
    ] as const) {
      assert.equal(samlStatusFor(new SamlError(code, 'x')).respondToSp, false, code);
    }
    assert.equal(samlStatusFor(new Error('boom')).code, STATUS.responder);
    assert.equal(samlStatusFor(new SamlError('signature_invalid', 'x')).subCode, STATUS.requestDenied);
    assert.equal(samlStatusFor(new SamlError('unsupported_binding', 'x')).subCode, STATUS.unsupportedBinding);
  });

  it('refuses to build an "error" response with a success status', () => {
    assert.throws(
      () => buildErrorResponse({ issuer: 'i', destination: 'https://d', status: { code: STATUS.success } }),
      { code: 'invalid_field' },
    );
  });
});
