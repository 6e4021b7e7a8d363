/**
 * Bindings the access file owns. The file's IAM roles live under the reserved path /keyway/ (settings.rolePath
 * may go deeper, never elsewhere), and a binding to a role there may be added or removed only by the access
 * engine itself: a hand change through `keyway aws bindings` or the admin API would be undone by the next
 * apply, so it is refused with a pointer to the file instead.
 */
import { DomainError } from '../../errors.js';
import type { Actor } from '../../identity/actor.js';

export const ACCESS_FILE_ROLE_PATH_PREFIX = '/keyway/';
export const ACCESS_ENGINE_ACTOR_ID = 'keyway-access';

export const isFileOwnedRolePath = (rolePath: string): boolean => rolePath.startsWith(ACCESS_FILE_ROLE_PATH_PREFIX);

export function assertBindingChangeAllowed(actor: Actor, rolePath: string): void {
  if (!isFileOwnedRolePath(rolePath)) return;
  if (actor.kind === 'system' && actor.id === ACCESS_ENGINE_ACTOR_ID) return;
  throw new DomainError(
    'forbidden',
    `bindings to roles under ${ACCESS_FILE_ROLE_PATH_PREFIX} are owned by the access file: change the grant there and run keyway access apply`,
    [{ at: 'rolePath', message: `${rolePath} is managed by keyway access` }],
  );
}
