import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from './contract.js';
import { QueryInput } from './query-params.js';

function validation(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AwsServiceError);
    assert.equal(e.code, 'ValidationError');
    return e.message;
  }
  assert.fail('no ValidationError');
}

test('reports every constraint violation in one ValidationError, in Coral wording', () => {
  const q = new QueryInput(new URLSearchParams('RoleName=bad name&MaxSessionDuration=10'));
  q.requiredString('RoleName', { min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
  q.requiredString('AssumeRolePolicyDocument');
  q.int('MaxSessionDuration', { min: 3600, max: 43200 });
  const message = validation(() => q.done());
  assert.match(message, /^3 validation errors detected: /);
  assert.match(
    message,
    /Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+/,
  );
  assert.match(
    message,
    /Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null/,
  );
  assert.match(
    message,
    /Value '10' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/,
  );
});

test('reads member lists and tag lists in order, stopping at the first gap', () => {
  const q = new QueryInput(
    new URLSearchParams(
      'TagKeys.member.1=a&TagKeys.member.2=b&TagKeys.member.4=d&Tags.member.1.Key=k&Tags.member.1.Value=v',
    ),
  );
  assert.deepEqual(q.list('TagKeys'), ['a', 'b']);
  assert.deepEqual(q.tags('Tags', 50), [{ Key: 'k', Value: 'v' }]);
  q.done();
});

test('refuses non-numeric integers, tags without a value and too many list members', () => {
  assert.throws(
    () => new QueryInput(new URLSearchParams('MaxItems=ten')).int('MaxItems'),
    /Invalid value for parameter MaxItems/,
  );
  const tags = new QueryInput(new URLSearchParams('Tags.member.1.Key=k'));
  tags.tags('Tags', 50);
  assert.match(
    validation(() => tags.done()),
    /tags\.1\.member\.value/,
  );
  const many = new URLSearchParams();
  for (let i = 1; i <= 51; i++) many.set(`TagKeys.member.${i}`, `k${i}`);
  const q = new QueryInput(many);
  q.list('TagKeys', {}, 50);
  assert.match(
    validation(() => q.done()),
    /length less than or equal to 50/,
  );
});
