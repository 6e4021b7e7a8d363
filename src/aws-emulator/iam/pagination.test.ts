import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from '../http/contract.js';
import { paginate } from './pagination.js';

function walk(items: readonly string[], size: number): string[] {
  const out: string[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = paginate(items, (x) => x, marker, size);
    out.push(...page.items);
    if (!page.isTruncated) return out;
    marker = page.marker;
  }
  assert.fail('pagination did not end');
}

test('walks sorted and insertion-ordered lists page by page without losing or repeating entries', () => {
  assert.deepEqual(walk(['a', 'b', 'c', 'd', 'e'], 2), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(walk(['team', 'env', 'owner', 'cost'], 3), ['team', 'env', 'owner', 'cost']);
  assert.deepEqual(walk([], 5), []);
});

test('continues after the marked entry even when it was deleted between calls (sorted lists)', () => {
  const first = paginate(['a', 'b', 'c', 'd'], (x) => x, undefined, 2);
  assert.equal(first.isTruncated, true);
  assert.deepEqual(paginate(['a', 'c', 'd'], (x) => x, first.marker, 2).items, ['c', 'd']);
});

test('refuses a marker it did not issue with InvalidInput', () => {
  assert.throws(
    () => paginate(['a'], (x) => x, 'not-a-marker', 1),
    (e: unknown) => e instanceof AwsServiceError && e.code === 'InvalidInput',
  );
});
