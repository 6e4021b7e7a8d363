import type { Kysely, Selectable } from 'kysely';
import { DomainError, type SigningKey, type SigningKeyState, type SigningKeyStore } from '../core/index.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { SamlSigningKeysTable, SamlTables } from './saml-tables.js';
import { isUniqueViolation } from './sql-helpers.js';

const toKey = (r: Selectable<SamlSigningKeysTable>): SigningKey => ({
  id: r.id,
  state: r.state as SigningKeyState,
  algorithm: 'RSA',
  bits: Number(r.bits),
  certificatePem: r.certificate_pem,
  fingerprint: r.fingerprint,
  encryptedPrivateKey: r.encrypted_private_key,
  createdAt: r.created_at,
  activatedAt: r.activated_at,
  retiredAt: r.retired_at,
});

const conflict = (e: unknown): never => {
  if (isUniqueViolation(e))
    throw new DomainError('conflict', 'another signing-key change happened at the same time; try again');
  throw e;
};

export function createSigningKeyStore(base: Kysely<Database>, now: () => Date = () => new Date()): SigningKeyStore {
  const db = base.withTables<SamlTables>();
  return {
    async list() {
      return (await db.selectFrom('saml_signing_keys').selectAll().orderBy('created_at').orderBy('id').execute()).map(
        toKey,
      );
    },
    async get(id) {
      const r = await db.selectFrom('saml_signing_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toKey(r) : null;
    },
    async insert(k, audit) {
      await base
        .transaction()
        .execute(async (trx) => {
          await trx
            .withTables<SamlTables>()
            .insertInto('saml_signing_keys')
            .values({
              id: k.id,
              state: k.state,
              algorithm: k.algorithm,
              bits: k.bits,
              certificate_pem: k.certificatePem,
              fingerprint: k.fingerprint,
              encrypted_private_key: k.encryptedPrivateKey,
              created_at: k.createdAt,
              activated_at: k.activatedAt,
              retired_at: k.retiredAt,
            })
            .execute();
          await insertAudit(trx, audit, now().toISOString());
        })
        .catch(conflict);
    },
    async changeStates(changes, expected, audit) {
      await base
        .transaction()
        .execute(async (trx) => {
          const t = trx.withTables<SamlTables>();
          for (const e of expected) {
            const r = await t.selectFrom('saml_signing_keys').select('state').where('id', '=', e.id).executeTakeFirst();
            if (r?.state !== e.state)
              throw new DomainError('conflict', `signing key ${e.id} changed meanwhile; list the keys and try again`);
          }
          // Leave the unique (state) slots before taking new ones, so `current`→`previous` frees the slot first.
          const ordered = [...changes].sort(
            (a, b) =>
              (a.state === 'current' || a.state === 'next' ? 1 : 0) -
              (b.state === 'current' || b.state === 'next' ? 1 : 0),
          );
          for (const c of ordered) {
            await t
              .updateTable('saml_signing_keys')
              .set({
                state: c.state,
                ...(c.activatedAt !== undefined ? { activated_at: c.activatedAt } : {}),
                ...(c.retiredAt !== undefined ? { retired_at: c.retiredAt } : {}),
              })
              .where('id', '=', c.id)
              .execute();
          }
          await insertAudit(trx, audit, now().toISOString());
        })
        .catch(conflict);
    },
  };
}
