// node:test with default timeouts: a test or hook that takes longer fails with node's "test timed out" error and
// its name, and the rest of the file goes on. A test's own { timeout } wins. Suites (describe) get none: their
// tests each have one, and a suite's timeout would bound all its tests together. Subtests (t.test) inherit their
// parent's. KEYWAY_TEST_TIMEOUT_SECONDS changes the default (for example on a very slow machine).
import * as real from 'node:test';

const seconds = Number(process.env.KEYWAY_TEST_TIMEOUT_SECONDS ?? 300);
if (!Number.isFinite(seconds) || seconds <= 0)
  throw new Error(`KEYWAY_TEST_TIMEOUT_SECONDS must be a positive number of seconds, got ${seconds}`);
const timeout = seconds * 1000;

// node:test accepts ([name][, options][, fn]); bring every form to (name, options, fn).
const withTimeout = (create) => (a, b, c) => {
  if (typeof a === 'function') return create(undefined, { timeout }, a);
  if (a !== null && typeof a === 'object') return create(undefined, { timeout, ...a }, b);
  if (typeof b === 'function') return create(a, { timeout }, b);
  return create(a, { timeout, ...b }, c);
};
// Hooks take ([fn][, options]).
const hookWithTimeout = (create) => (fn, options) => create(fn, { timeout, ...options });

const wrapTest = (original) =>
  Object.assign(withTimeout(original), {
    skip: withTimeout(original.skip),
    todo: withTimeout(original.todo),
    only: withTimeout(original.only),
  });

export const test = wrapTest(real.test);
export const it = wrapTest(real.it);
export const before = hookWithTimeout(real.before);
export const after = hookWithTimeout(real.after);
export const beforeEach = hookWithTimeout(real.beforeEach);
export const afterEach = hookWithTimeout(real.afterEach);
export const { describe, suite, mock, run } = real;
export const skip = test.skip;
export const todo = test.todo;
export const only = test.only;
Object.assign(test, { test, it, describe, suite, before, after, beforeEach, afterEach, mock, run });
export default test;
