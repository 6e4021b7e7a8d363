import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSamlId } from './ids.js';

describe('newSamlId (SAML core 1.3.4)', () => {
  it('returns NCNames with 160 random bits that do not repeat across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const id = newSamlId();
      assert.match(id, /^_[0-9a-f]{40}$/);
      assert.equal(seen.has(id), false);
      seen.add(id);
    }
  });
});
