import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError } from '../errors.js';
import {
  foldCase,
  pageLimit,
  validateGroupPatch,
  validateMember,
  validateNewGroup,
  validateNewUser,
  validateUserPatch,
} from './validation.js';

function problems(run: () => unknown): { at: string; message: string }[] {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof DomainError);
    assert.equal(e.code, 'invalid_input');
    return [...e.problems];
  }
  assert.fail('expected invalid_input');
}

describe('directory input validation (issue 2: bad input gets a clear 4xx)', () => {
  test('normalises names: trims, NFC, and turns empty optional fields into null', () => {
    const u = validateNewUser({ userName: '  Zoe\u0301 ', givenName: '', familyName: '  ', displayName: null });
    assert.equal(u.userName, 'Zoé');
    assert.equal(u.givenName, null);
    assert.equal(u.familyName, null);
    assert.equal(u.status, 'active');
    assert.deepEqual(u.emails, []);
    assert.deepEqual(u.attributes, {});
  });

  test('folds case the same way for uniqueness and filters (Unicode, not only ASCII)', () => {
    assert.equal(foldCase('ÅSA'), foldCase('åsa'));
    assert.equal(foldCase(' Ada '), 'ada');
  });

  test('rejects a non-object, wrong types, over-long values and unknown fields, all at once', () => {
    assert.deepEqual(
      problems(() => validateNewUser('ada')),
      [{ at: '', message: 'must be an object' }],
    );
    const p = problems(() =>
      validateNewUser({ userName: 7, givenName: 'x'.repeat(257), emails: 'a@b', externalId: [], password: 'secret' }),
    );
    assert.deepEqual(p.map((x) => x.at).sort(), ['emails', 'externalId', 'givenName', 'password', 'userName']);
    assert.ok(p.every((x) => x.message.length > 0));
  });

  test('rejects control characters (including line separators) in names', () => {
    for (const bad of ['a\u0000b', 'a\nb', 'a\u007fb', 'a\u2028b']) {
      assert.deepEqual(
        problems(() => validateNewUser({ userName: bad })).map((x) => x.message),
        ['must not contain control characters'],
      );
    }
  });

  test('checks emails: address shape, one primary at most, no duplicates (case-insensitive), no unknown keys', () => {
    const p = problems(() =>
      validateNewUser({
        userName: 'a',
        emails: [
          { value: 'a@example.com', primary: true },
          { value: 'A@example.com', primary: true },
          { value: 'nope' },
          { value: 'c@example.com', kind: 'x' },
          'str',
        ],
      }),
    );
    assert.deepEqual(
      p.map((x) => x.at),
      ['emails[2].value', 'emails[3].kind', 'emails[4]', 'emails', 'emails'],
    );
  });

  test('accepts string and string-list attributes; rejects nested values and bad keys', () => {
    assert.deepEqual(validateNewGroup({ displayName: 'g', attributes: { costCentre: '1', tags: ['a'] } }).attributes, {
      costCentre: '1',
      tags: ['a'],
    });
    const p = problems(() =>
      validateNewGroup({ displayName: 'g', attributes: { nested: { a: 1 }, 'bad key': 'x', list: ['a', 2] } }),
    );
    assert.deepEqual(p.map((x) => x.at).sort(), ['attributes.bad key', 'attributes.list[1]', 'attributes.nested']);
  });

  test('patches keep only the fields given and refuse to change status through a patch', () => {
    assert.deepEqual(validateUserPatch({ familyName: null }), { familyName: null });
    assert.deepEqual(
      problems(() => validateUserPatch({ status: 'suspended' })).map((x) => x.at),
      ['status'],
    );
    assert.deepEqual(
      problems(() => validateUserPatch({ userName: '' })).map((x) => x.at),
      ['userName'],
    );
    assert.deepEqual(validateGroupPatch({ description: ' d ' }), { description: 'd' });
  });

  test('validates members and page limits', () => {
    assert.deepEqual(validateMember({ kind: 'group', id: 'g1' }), { kind: 'group', id: 'g1' });
    assert.deepEqual(
      problems(() => validateMember({ kind: 'role', id: '' })).map((x) => x.at),
      ['member.kind', 'member.id'],
    );
    assert.equal(pageLimit(undefined), 50);
    for (const bad of [0, 501, 1.5, '10', -1])
      assert.throws(
        () => pageLimit(bad),
        (e: unknown) => e instanceof DomainError && e.code === 'invalid_input',
      );
  });
});
