import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DomainError, systemActor, validateFields, type SamlApplication, type SigningKey } from '../core/index.js';
import { enginesUnderTest, uniq, type EngineUnderTest } from './contract-harness.js';
import { createApplicationStore, createMessageIdCache, createSigningKeyStore, type Store } from './index.js';

const actor = systemActor('test');
const audit = (action: string) => ({ action, actor, outcome: 'success' as const, target: { type: 't', id: 'x' } });
const key = (id: string, state: SigningKey['state']): SigningKey => ({
  id,
  state,
  algorithm: 'RSA',
  bits: 2048,
  certificatePem: 'pem',
  fingerprint: 'fp',
  encryptedPrivateKey: 'kw1:sealed',
  createdAt: new Date().toISOString(),
  activatedAt: null,
  retiredAt: null,
});
const app = (entityId: string, over: Partial<SamlApplication> = {}): SamlApplication => ({
  id: uniq('app'),
  type: 'saml',
  ...validateFields({ name: `App ${entityId}`, entityId, acs: [{ url: 'https://sp.example/acs' }] }),
  settings: {},
  persistentIdSecret: 'c2VjcmV0',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  version: 1,
  ...over,
});

for (const engine of await enginesUnderTest()) {
  describe(`SAML storage on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    before(async () => {
      store = await (engine as EngineUnderTest).open();
    });
    after(async () => {
      await (engine as EngineUnderTest).dispose(store);
    });

    test('the database allows one current and one next signing key, so racing nodes cannot both install one', async () => {
      const keys = createSigningKeyStore(store.db);
      await keys.insert(key('k1', 'current'), audit('saml.key.created'));
      await assert.rejects(
        keys.insert(key('k2', 'current'), audit('saml.key.created')),
        (e: DomainError) => e.code === 'conflict',
      );
      await keys.insert(key('k3', 'next'), audit('saml.key.rotated'));
      await assert.rejects(
        keys.insert(key('k4', 'next'), audit('saml.key.rotated')),
        (e: DomainError) => e.code === 'conflict',
      );
      assert.deepEqual(
        (await keys.list()).map((k) => [k.id, k.state]),
        [
          ['k1', 'current'],
          ['k3', 'next'],
        ],
      );
    });

    test('a promotion swaps current and next in one transaction with its audit record', async () => {
      const keys = createSigningKeyStore(store.db);
      await keys.changeStates(
        [
          { id: 'k3', state: 'current', activatedAt: new Date().toISOString() },
          { id: 'k1', state: 'previous' },
        ],
        [
          { id: 'k3', state: 'next' },
          { id: 'k1', state: 'current' },
        ],
        audit('saml.key.promoted'),
      );
      assert.deepEqual(
        (await keys.list()).map((k) => [k.id, k.state]),
        [
          ['k1', 'previous'],
          ['k3', 'current'],
        ],
      );
      await assert.rejects(
        keys.changeStates(
          [{ id: 'k1', state: 'retired' }],
          [{ id: 'k1', state: 'current' }],
          audit('saml.key.retired'),
        ),
        (e: DomainError) => e.code === 'conflict' && /changed meanwhile/.test(e.message),
      );
      const events = await store.audit.query({ action: 'saml.key.promoted' });
      assert.equal(events.items.length, 1);
      assert.equal(
        (await store.audit.query({ action: 'saml.key.retired' })).items.length,
        0,
        'a refused change writes no audit record',
      );
    });

    test('applications are unique by entity ID and updated only from the version read', async () => {
      const apps = createApplicationStore(store.db);
      const entity = `https://${uniq('sp')}.example/`;
      const a = app(entity);
      await apps.insert(a, audit('application.created'));
      await assert.rejects(
        apps.insert(app(entity), audit('application.created')),
        (e: DomainError) => e.code === 'conflict' && /already exists/.test(e.message),
      );
      assert.equal((await apps.findByEntityId(entity))?.id, a.id);
      const changed = { ...a, name: 'Renamed', version: 2 };
      await apps.update(changed, 1, audit('application.updated'));
      await assert.rejects(
        apps.update({ ...a, version: 2 }, 1, audit('application.updated')),
        (e: DomainError) => e.code === 'precondition_failed',
      );
      assert.equal((await apps.get(a.id))?.name, 'Renamed');
      const page = await apps.list({ search: 'renam' });
      assert.deepEqual(
        page.items.map((x) => x.id),
        [a.id],
      );
      assert.equal(await apps.delete(a.id, audit('application.deleted')), true);
      assert.equal(await apps.delete(a.id, audit('application.deleted')), false);
      assert.equal(await apps.get(a.id), null);
    });

    test('application lists page with a cursor and list only enabled apps for the portal', async () => {
      const apps = createApplicationStore(store.db);
      const prefix = uniq('pg');
      for (let i = 0; i < 5; i++)
        await apps.insert(
          app(`urn:${prefix}:${i}`, { name: `${prefix} ${i}`, enabled: i !== 2 }),
          audit('application.created'),
        );
      const first = await apps.list({ search: prefix, limit: 2 });
      assert.equal(first.total, 5);
      const second = await apps.list({ search: prefix, limit: 2, cursor: first.nextCursor ?? '' });
      assert.deepEqual(
        [...first.items, ...second.items].map((x) => x.name),
        [0, 1, 2, 3].map((i) => `${prefix} ${i}`),
      );
      assert.equal((await apps.listEnabled()).filter((x) => x.name.startsWith(prefix)).length, 4);
    });

    test('a message ID is accepted once until it expires (SAML core 3.2.1 replay protection)', async () => {
      const cache = createMessageIdCache(store.db);
      const now = new Date();
      const id = `https://sp.example\u0000${uniq('req')}`;
      assert.equal(await cache.remember(id, new Date(now.getTime() + 60_000), now), true);
      assert.equal(await cache.remember(id, new Date(now.getTime() + 60_000), now), false);
      const later = new Date(now.getTime() + 120_000);
      assert.equal(await cache.remember(id, new Date(later.getTime() + 60_000), later), true);
    });
  });
}
