// Why: TOTP second factors (sealed seeds and the last accepted time step, for replay protection) for sign-in.
import type { Migration } from './types.js';

export const totpFactors: Migration = {
  id: '0040-totp',
  why: 'TOTP second factor per user: sealed seed, confirmation time, last accepted step',
  async up(db) {
    await db.schema
      .createTable('totp_factors')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('sealed_secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('confirmed_at', 'text')
      .addColumn('last_used_step', 'bigint')
      .execute();
  },
};
