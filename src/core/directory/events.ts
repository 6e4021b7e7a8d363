import type { Group, User } from './types.js';

/**
 * Change events written to the outbox in the same transaction as the change itself, so that no
 * directory change can be committed without its event. Provisioning consumes them.
 */
export type DirectoryEvent =
  | { readonly type: 'user.created'; readonly user: User }
  | { readonly type: 'user.updated'; readonly before: User; readonly user: User }
  | { readonly type: 'user.deleted'; readonly user: User }
  | { readonly type: 'group.created'; readonly group: Group }
  | { readonly type: 'group.updated'; readonly before: Group; readonly group: Group }
  | { readonly type: 'group.deleted'; readonly group: Group }
  | {
      readonly type: 'membership.added';
      readonly groupId: string;
      readonly member: { kind: 'user' | 'group'; id: string };
    }
  | {
      readonly type: 'membership.removed';
      readonly groupId: string;
      readonly member: { kind: 'user' | 'group'; id: string };
    };

export interface OutboxRecord {
  /** Monotonic per database. */
  readonly seq: number;
  readonly id: string;
  readonly event: DirectoryEvent;
  readonly createdAt: string;
}
