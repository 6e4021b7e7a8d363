import { DomainError } from '../errors.js';
import type { KeyStateChange, SigningKey, SigningKeyState } from './types.js';

/** Keys that appear in IdP metadata, the signing key first. */
export const publishedKeys = (keys: readonly SigningKey[]): readonly SigningKey[] => {
  const order: Record<SigningKeyState, number> = { current: 0, next: 1, previous: 2, retired: 3 };
  return keys
    .filter((k) => k.state !== 'retired')
    .sort((a, b) => order[a.state] - order[b.state] || a.createdAt.localeCompare(b.createdAt));
};

export const currentKey = (keys: readonly SigningKey[]): SigningKey | null =>
  keys.find((k) => k.state === 'current') ?? null;

const find = (keys: readonly SigningKey[], id: string): SigningKey => {
  const key = keys.find((k) => k.id === id);
  if (!key) throw new DomainError('not_found', `no signing key with id ${id}`);
  return key;
};

/** One rotation at a time: a second `next` key would leave SPs unsure which certificate comes next. */
export const checkRotate = (keys: readonly SigningKey[]): void => {
  if (!currentKey(keys)) throw new DomainError('precondition_failed', 'there is no current signing key to rotate from');
  const pending = keys.find((k) => k.state === 'next');
  if (pending)
    throw new DomainError('conflict', `key ${pending.id} is already waiting as next; promote or retire it first`);
};

/**
 * Promoting makes the key sign; the key that signed until now stays published as `previous` so that the
 * rotation can be undone by promoting it back. Any other `previous` key retires, keeping metadata small.
 */
export const planPromote = (keys: readonly SigningKey[], id: string, at: string): KeyStateChange[] => {
  const key = find(keys, id);
  if (key.state === 'current') throw new DomainError('conflict', `key ${id} is already current`);
  if (key.state === 'retired')
    throw new DomainError('conflict', `key ${id} is retired and cannot sign again; rotate to make a new key`);
  const changes: KeyStateChange[] = [{ id, state: 'current', activatedAt: at }];
  for (const other of keys) {
    if (other.id === id) continue;
    if (other.state === 'current') changes.push({ id: other.id, state: 'previous' });
    else if (other.state === 'previous') changes.push({ id: other.id, state: 'retired', retiredAt: at });
  }
  return changes;
};

/** The current key can never be retired: Keyway would have nothing to sign with. */
export const planRetire = (keys: readonly SigningKey[], id: string, at: string): KeyStateChange[] => {
  const key = find(keys, id);
  if (key.state === 'current')
    throw new DomainError('conflict', `key ${id} is current; promote another key before retiring it`);
  if (key.state === 'retired') throw new DomainError('conflict', `key ${id} is already retired`);
  return [{ id, state: 'retired', retiredAt: at }];
};

export const applyChanges = (keys: readonly SigningKey[], changes: readonly KeyStateChange[]): SigningKey[] =>
  keys.map((k) => {
    const c = changes.find((x) => x.id === k.id);
    if (!c) return k;
    return { ...k, state: c.state, activatedAt: c.activatedAt ?? k.activatedAt, retiredAt: c.retiredAt ?? k.retiredAt };
  });
