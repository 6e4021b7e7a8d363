import type { ColumnType } from 'kysely';

/**
 * Table shapes as Kysely sees them. Both engines store the same things the same way: ids and timestamps as
 * text (ISO-8601 UTC with milliseconds, so text order is time order), JSON as text, counters as integers.
 * Another module's repositories declare their own tables in an interface of their own and use
 * `Kysely<Database & TheirTables>` (see src/store/index.ts).
 */
export interface UsersTable {
  id: string;
  user_name: string;
  /** foldCase(user_name); a unique index on it makes userName unique case-insensitively on both engines. */
  user_name_lower: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  display_name_lower: string | null;
  /** Lower-cased primary (else first) email, for search. */
  email_lower: string | null;
  emails: string;
  external_id: string | null;
  status: string;
  attributes: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  display_name_lower: string;
  description: string | null;
  external_id: string | null;
  attributes: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface GroupUserMembersTable {
  group_id: string;
  user_id: string;
  created_at: string;
}

export interface GroupGroupMembersTable {
  parent_id: string;
  child_id: string;
  created_at: string;
}

/** PostgreSQL returns bigint columns as strings; SQLite as numbers. Readers convert with Number(). */
type Seq = ColumnType<number | string, never, never>;

export interface OutboxTable {
  seq: Seq;
  id: string;
  type: string;
  payload: string;
  created_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  done_at: string | null;
  attempts: ColumnType<number, number | undefined, number>;
}

export interface AuditEventsTable {
  seq: Seq;
  id: string;
  at: string;
  action: string;
  outcome: string;
  reason: string | null;
  actor_kind: string;
  actor_id: string;
  actor: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  before: string | null;
  after: string | null;
  details: string | null;
}

export interface PasswordCredentialsTable {
  user_id: string;
  hash: string;
  updated_at: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  auth_methods: string;
  csrf_secret: string;
  data: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_user_members: GroupUserMembersTable;
  group_group_members: GroupGroupMembersTable;
  outbox: OutboxTable;
  audit_events: AuditEventsTable;
  password_credentials: PasswordCredentialsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  throttle: ThrottleTable;
}
