import { randomUUID } from 'node:crypto';
import type { Actor } from '../identity/actor.js';
import { DomainError, isDomainError } from '../errors.js';
import type { KeyMaterialFactory, SigningKey, SigningKeyCommands, SigningKeyStore } from './types.js';
import { applyChanges, checkRotate, currentKey, planPromote, planRetire } from './rules.js';

export interface SigningKeyServiceDeps {
  readonly store: SigningKeyStore;
  readonly material: KeyMaterialFactory;
  readonly now?: () => Date;
}

const summary = (k: SigningKey) => ({ id: k.id, state: k.state, fingerprint: k.fingerprint });

export const createSigningKeyService = ({
  store,
  material,
  now = () => new Date(),
}: SigningKeyServiceDeps): SigningKeyCommands => {
  const newKey = async (state: 'current' | 'next'): Promise<SigningKey> => {
    const id = randomUUID();
    const m = await material.generate(id);
    const at = now().toISOString();
    return {
      id,
      state,
      algorithm: 'RSA',
      ...m,
      createdAt: at,
      activatedAt: state === 'current' ? at : null,
      retiredAt: null,
    };
  };

  const ensureCurrent = async (actor: Actor): Promise<SigningKey> => {
    const existing = currentKey(await store.list());
    if (existing) return existing;
    const key = await newKey('current');
    try {
      await store.insert(key, {
        action: 'saml.key.created',
        actor,
        outcome: 'success',
        target: { type: 'signing-key', id: key.id },
        after: summary(key),
        details: { reason: 'first start' },
      });
      return key;
    } catch (e) {
      // Another node installed the first key between our read and our insert; use theirs.
      if (!isDomainError(e) || e.code !== 'conflict') throw e;
      const winner = currentKey(await store.list());
      if (!winner) throw e;
      return winner;
    }
  };

  const changeTo = async (actor: Actor, id: string, action: 'promote' | 'retire'): Promise<SigningKey> => {
    const keys = await store.list();
    const at = now().toISOString();
    const changes = action === 'promote' ? planPromote(keys, id, at) : planRetire(keys, id, at);
    const expected = keys.filter((k) => changes.some((c) => c.id === k.id)).map((k) => ({ id: k.id, state: k.state }));
    const after = applyChanges(keys, changes);
    await store.changeStates(changes, expected, {
      action: action === 'promote' ? 'saml.key.promoted' : 'saml.key.retired',
      actor,
      outcome: 'success',
      target: { type: 'signing-key', id },
      before: keys.filter((k) => changes.some((c) => c.id === k.id)).map(summary),
      after: after.filter((k) => changes.some((c) => c.id === k.id)).map(summary),
    });
    const result = after.find((k) => k.id === id);
    if (!result) throw new DomainError('not_found', `no signing key with id ${id}`);
    return result;
  };

  return {
    ensureCurrent,
    list: () => store.list(),
    rotate: async (actor) => {
      checkRotate(await store.list());
      const key = await newKey('next');
      await store.insert(key, {
        action: 'saml.key.rotated',
        actor,
        outcome: 'success',
        target: { type: 'signing-key', id: key.id },
        after: summary(key),
      });
      return key;
    },
    promote: (actor, id) => changeTo(actor, id, 'promote'),
    retire: (actor, id) => changeTo(actor, id, 'retire'),
  };
};
