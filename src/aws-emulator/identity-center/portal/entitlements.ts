import type { IdcInstance } from '../instance.js';
import type { PermissionSetRecord, SsoAdminState } from '../sso-admin/model.js';
import { provisionedKey } from '../sso-admin/model.js';

/**
 * What a user may open in the access portal: every (account, permission set) assigned to the user directly
 * or through one of the user's groups, and provisioned in that account.
 */
export interface Entitlement {
  readonly accountId: string;
  readonly permissionSet: PermissionSetRecord;
  readonly roleName: string;
}

export function entitlementsOf(inst: IdcInstance, state: SsoAdminState, userId: string): Entitlement[] {
  const groups = new Set(inst.store.groupIdsOfUser(userId));
  const seen = new Map<string, Entitlement>();
  for (const a of state.assignments.values()) {
    const mine =
      (a.principalType === 'USER' && a.principalId === userId) ||
      (a.principalType === 'GROUP' && groups.has(a.principalId));
    if (!mine) continue;
    const ps = state.permissionSets.get(a.permissionSetArn);
    const prov = state.provisioned.get(provisionedKey(a.permissionSetArn, a.accountId));
    if (!ps || !prov) continue;
    seen.set(`${a.accountId}|${ps.arn}`, { accountId: a.accountId, permissionSet: ps, roleName: prov.roleName });
  }
  return [...seen.values()].sort(
    (x, y) => x.accountId.localeCompare(y.accountId) || x.permissionSet.name.localeCompare(y.permissionSet.name),
  );
}
