import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigningKeyService } from './service.js';
import type { KeyStateChange, SigningKey, SigningKeyState, SigningKeyStore } from './types.js';
import { DomainError } from '../errors.js';
import type { AuditEventInput } from '../audit/types.js';
import { systemActor } from '../identity/actor.js';

/** In-memory store with the same uniqueness rules the SQL stores enforce (one current, one next). */
const memoryStore = () => {
  const keys = new Map<string, SigningKey>();
  const audits: AuditEventInput[] = [];
  const unique = (list: SigningKey[]) => {
    for (const s of ['current', 'next'] as SigningKeyState[])
      if (list.filter((k) => k.state === s).length > 1) throw new DomainError('conflict', `two ${s} keys`);
  };
  const store: SigningKeyStore = {
    list: async () => [...keys.values()],
    get: async (id) => keys.get(id) ?? null,
    insert: async (key, audit) => {
      unique([...keys.values(), key]);
      keys.set(key.id, key);
      audits.push(audit);
    },
    changeStates: async (changes: readonly KeyStateChange[], expected, audit) => {
      for (const e of expected) if (keys.get(e.id)?.state !== e.state) throw new DomainError('conflict', 'moved');
      const next = new Map(keys);
      for (const c of changes) {
        const k = next.get(c.id);
        if (k)
          next.set(c.id, {
            ...k,
            state: c.state,
            activatedAt: c.activatedAt ?? k.activatedAt,
            retiredAt: c.retiredAt ?? k.retiredAt,
          });
      }
      unique([...next.values()]);
      for (const [id, k] of next) keys.set(id, k);
      audits.push(audit);
    },
  };
  return { store, audits };
};

const material = {
  generate: async (id: string) => ({
    bits: 2048,
    certificatePem: `cert-${id}`,
    fingerprint: id,
    encryptedPrivateKey: 'sealed',
  }),
};
const actor = systemActor('test');

test('the first start installs exactly one current key and later starts reuse it', async () => {
  const { store, audits } = memoryStore();
  const svc = createSigningKeyService({ store, material });
  const a = await svc.ensureCurrent(actor);
  const b = await svc.ensureCurrent(actor);
  assert.equal(a.id, b.id);
  assert.equal(a.state, 'current');
  assert.deepEqual(
    audits.map((x) => x.action),
    ['saml.key.created'],
  );
});

test('rotation goes next → current → previous → retired and the current key cannot be retired', async () => {
  const { store, audits } = memoryStore();
  const svc = createSigningKeyService({ store, material });
  const first = await svc.ensureCurrent(actor);
  const next = await svc.rotate(actor);
  assert.equal(next.state, 'next');
  await assert.rejects(
    svc.rotate(actor),
    (e: DomainError) => e.code === 'conflict' && /already waiting as next/.test(e.message),
  );
  const promoted = await svc.promote(actor, next.id);
  assert.equal(promoted.state, 'current');
  assert.equal((await store.get(first.id))?.state, 'previous');
  await assert.rejects(
    svc.retire(actor, next.id),
    (e: DomainError) => e.code === 'conflict' && /is current/.test(e.message),
  );
  const retired = await svc.retire(actor, first.id);
  assert.equal(retired.state, 'retired');
  await assert.rejects(
    svc.promote(actor, first.id),
    (e: DomainError) => e.code === 'conflict' && /retired/.test(e.message),
  );
  await assert.rejects(svc.promote(actor, 'nope'), (e: DomainError) => e.code === 'not_found');
  assert.deepEqual(
    audits.map((x) => x.action),
    ['saml.key.created', 'saml.key.rotated', 'saml.key.promoted', 'saml.key.retired'],
  );
});

test('promoting the previous key rolls a rotation back', async () => {
  const { store } = memoryStore();
  const svc = createSigningKeyService({ store, material });
  const first = await svc.ensureCurrent(actor);
  const next = await svc.rotate(actor);
  await svc.promote(actor, next.id);
  await svc.promote(actor, first.id);
  assert.equal((await store.get(first.id))?.state, 'current');
  assert.equal((await store.get(next.id))?.state, 'previous');
});
