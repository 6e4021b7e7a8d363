import {
  defaultAwsIamAppConfig,
  explain,
  findAccount,
  isDomainError,
  mayUse,
  DomainError,
  type Explanation,
  type Group,
} from '../../core/index.js';
import type { ServerContext } from '../deps.js';
import type { AwsServices } from './context.js';

export interface ExplainRequest {
  readonly userName: string;
  /** Account id or name, with `role`: also explain this role when no binding names it. */
  readonly account?: string;
  readonly role?: string;
}

/** "Why can (or can't) alice reach this role?": the same resolution the assertion uses, with every reason. */
export async function explainUser(ctx: ServerContext, svc: AwsServices, req: ExplainRequest): Promise<Explanation> {
  const user = await ctx.store.directory.findUserByUserName(req.userName);
  if (!user)
    throw new DomainError('not_found', `no user ${JSON.stringify(req.userName)} in Keyway`, [
      { at: 'user', message: 'unknown user' },
    ]);
  const [effectiveGroups, directGroups, bindings, accounts] = await Promise.all([
    ctx.store.directory.effectiveGroupsOfUser(user.id),
    ctx.store.directory.directGroupsOfUser(user.id),
    svc.access.listBindings(),
    svc.access.listAccounts(),
  ]);
  let config = defaultAwsIamAppConfig();
  let appAccess: { app: string; allowed: boolean } | undefined;
  try {
    const { app, config: c } = await svc.awsApp();
    config = c;
    appAccess = { app: app.name, allowed: mayUse(app, effectiveGroups) };
  } catch (e) {
    if (!isDomainError(e) || e.code !== 'not_found') throw e;
  }
  const allGroups = new Map<string, Group>(effectiveGroups.map((g) => [g.id, g]));
  for (const id of new Set(bindings.map((b) => b.groupId))) {
    if (!allGroups.has(id)) allGroups.set(id, await ctx.store.directory.getGroup(id));
  }
  let ask: { accountId: string; roleName: string } | undefined;
  if (req.account && req.role) {
    const accountId = /^\d{12}$/.test(req.account) ? req.account : findAccount(accounts, req.account).id;
    ask = { accountId, roleName: req.role };
  }
  return explain({
    user,
    effectiveGroups,
    directGroupIds: new Set(directGroups.map((g) => g.id)),
    allGroups,
    bindings,
    accounts,
    config,
    ...(appAccess ? { appAccess } : {}),
    ...(ask ? { ask } : {}),
  });
}
