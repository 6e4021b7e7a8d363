// Why: the transactional outbox (no directory change commits without its event) and the audit log.
import { sequenceColumn, type Migration } from './types.js';

export const outboxAudit: Migration = {
  id: '0002-outbox-audit',
  why: 'outbox of typed directory events written in the same transaction as each change, and the audit log',
  async up(db, ctx) {
    const [seqType, seqDef] = sequenceColumn(ctx);
    await db.schema
      .createTable('outbox')
      .addColumn('seq', seqType, seqDef)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'text')
      .addColumn('done_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('outbox_pending_ix').on('outbox').columns(['done_at', 'seq']).execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('seq', seqType, seqDef)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('target_label', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('details', 'text')
      .execute();
    await db.schema.createIndex('audit_events_at_ix').on('audit_events').column('at').execute();
    await db.schema.createIndex('audit_events_actor_ix').on('audit_events').columns(['actor_id', 'seq']).execute();
    await db.schema.createIndex('audit_events_target_ix').on('audit_events').columns(['target_id', 'seq']).execute();
    await db.schema.createIndex('audit_events_action_ix').on('audit_events').columns(['action', 'seq']).execute();
  },
};
