/** keyway aws accounts|bindings|explain|iam setup — the administrator's side of Pattern A (uses the store directly). */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { AwsAccessService, Explanation, Group, SamlApplication } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { CliUsageError, type CliContext } from '../command.js';
import { json, table } from '../render.js';

// The domain, store, server and AWS SDK modules are imported by the actions that need them, so that `keyway
// aws credentials` (registered next to these) starts without them.
const lib = async () => {
  const [core, shared] = await Promise.all([import('../../core/index.js'), import('./shared.js')]);
  return { ...core, ...shared };
};
const accessOf = async (store: Store): Promise<AwsAccessService> =>
  (await import('../../store/index.js')).createAwsAccessService(store.db);
const access = async (ctx: CliContext): Promise<AwsAccessService> => accessOf(await ctx.store());
const samlRuntime = async (ctx: CliContext, store: Store) =>
  (await import('../../server/index.js')).createSamlRuntimeFrom({ config: ctx.config(), store });

/** The AWS IAM application: the one named by --app, or the only one. */
export async function awsApp(ctx: CliContext, ref?: string): Promise<SamlApplication | null> {
  const { AWS_IAM_APP_TYPE, DomainError } = await lib();
  const rt = await samlRuntime(ctx, await ctx.store());
  const apps = (await rt.apps.list({ limit: 500 })).items.filter((a) => a.type === AWS_IAM_APP_TYPE);
  if (ref) {
    const hit = apps.find((a) => a.id === ref || a.name.toLowerCase() === ref.toLowerCase());
    if (!hit) throw new DomainError('not_found', `no AWS IAM application ${JSON.stringify(ref)}`);
    return hit;
  }
  if (apps.length > 1)
    throw new CliUsageError(
      `several AWS IAM applications exist (${apps.map((a) => a.name).join(', ')}); choose one with --app`,
    );
  return apps[0] ?? null;
}

export function renderExplanation(e: Explanation): string[] {
  const lines = [`${e.user.userName} (${e.user.status}); groups: ${e.groups.map((g) => g.name).join(', ') || 'none'}`];
  const label = (r: { accountName: string | null; accountId: string; rolePath: string; roleName: string }) =>
    `${r.accountName ?? '?'} (${r.accountId}) ${r.rolePath}${r.roleName}`;
  lines.push(e.received.length ? 'Receives:' : 'Receives no AWS role.');
  for (const r of e.received)
    lines.push(
      `  + ${label(r)}  via ${r.via.map((v) => `group ${v.groupName}${v.direct === false ? ' (nested)' : ''} (binding ${v.bindingId.slice(0, 8)})`).join(', ')}`,
    );
  if (e.notReceived.length) lines.push('Does not receive:');
  for (const r of e.notReceived) {
    const why = r.reasons.map(denialText);
    lines.push(`  - ${label(r)}  ${why.join('; ')}`);
  }
  for (const p of e.problems) lines.push(`  ! ${p}`);
  return lines;
}

function denialText(x: Explanation['notReceived'][number]['reasons'][number]): string {
  switch (x.code) {
    case 'user_suspended':
      return 'the user is suspended';
    case 'not_in_group':
      return `not in group ${x.groups.map((g) => g.name).join(' or ')}`;
    case 'no_binding':
      return 'no binding names this role';
    case 'unknown_account':
      return 'the account is not registered in Keyway';
    case 'not_assigned_to_app':
      return `not in a group allowed to use the ${x.app} application`;
  }
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

export function registerAwsAdmin(aws: Command, ctx: CliContext): void {
  const accounts = aws.command('accounts').description('AWS accounts Keyway knows by name');
  accounts
    .command('add')
    .description('register an AWS account')
    .argument('<id>', '12-digit account id')
    .argument('<name>', 'a short name, e.g. prod')
    .action(async (id: string, name: string) => {
      const a = await (await access(ctx)).addAccount(ctx.actor, { id, name });
      ctx.out(`added AWS account ${a.name} (${a.id})`);
    });
  accounts
    .command('list')
    .description('list registered AWS accounts')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await access(ctx)).listAccounts();
      if (o.json) return ctx.out(json(list));
      for (const l of table(
        ['NAME', 'ID'],
        list.map((a) => [a.name, a.id]),
      ))
        ctx.out(l);
    });
  accounts
    .command('remove')
    .description('forget an AWS account (refused while bindings name it)')
    .argument('<account>', 'id or name')
    .action(async (ref: string) => {
      const { findAccount } = await lib();
      const svc = await access(ctx);
      const a = findAccount(await svc.listAccounts(), ref);
      await svc.removeAccount(ctx.actor, a.id);
      ctx.out(`removed AWS account ${a.name} (${a.id})`);
    });

  const bindings = aws.command('bindings').description('which group may assume which IAM role in which account');
  bindings
    .command('add')
    .description('let members of a group assume an IAM role in an account')
    .requiredOption('--group <group>', 'group displayName or id')
    .requiredOption('--account <account>', 'account id or name')
    .requiredOption('--role <name>', 'IAM role name')
    .option('--path <path>', 'IAM role path', '/')
    .action(async (o: { group: string; account: string; role: string; path: string }) => {
      const { findAccount, resolveGroup } = await lib();
      const store = await ctx.store();
      const svc = await accessOf(store);
      const group = await resolveGroup(store.directory, o.group);
      const account = findAccount(await svc.listAccounts(), o.account);
      const b = await svc.addBinding(ctx.actor, {
        groupId: group.id,
        accountId: account.id,
        roleName: o.role,
        rolePath: o.path,
      });
      ctx.out(
        `bound group ${group.displayName} to arn:aws:iam::${b.accountId}:role${b.rolePath}${b.roleName} (${account.name}); binding ${b.id}`,
      );
    });
  bindings
    .command('list')
    .description('list bindings')
    .option('--group <group>', 'only this group')
    .option('--account <account>', 'only this account (id or name)')
    .option('--json', 'print JSON')
    .action(async (o: { group?: string; account?: string; json?: boolean }) => {
      const { findAccount, resolveGroup } = await lib();
      const store = await ctx.store();
      const svc = await accessOf(store);
      const accts = await svc.listAccounts();
      const groupId = o.group ? (await resolveGroup(store.directory, o.group)).id : undefined;
      const accountId = o.account ? findAccount(accts, o.account).id : undefined;
      const list = await svc.listBindings({ ...(groupId ? { groupId } : {}), ...(accountId ? { accountId } : {}) });
      if (o.json) return ctx.out(json(list));
      const names = new Map<string, string>();
      for (const b of list)
        if (!names.has(b.groupId)) names.set(b.groupId, (await store.directory.getGroup(b.groupId)).displayName);
      for (const l of table(
        ['GROUP', 'ACCOUNT', 'ROLE', 'ID'],
        list.map((b) => [
          names.get(b.groupId),
          `${accts.find((a) => a.id === b.accountId)?.name ?? '?'} (${b.accountId})`,
          `${b.rolePath}${b.roleName}`,
          b.id,
        ]),
      ))
        ctx.out(l);
    });
  bindings
    .command('remove')
    .description('remove a binding, by id or by --group/--account/--role')
    .argument('[id]', 'binding id')
    .option('--group <group>', 'group displayName or id')
    .option('--account <account>', 'account id or name')
    .option('--role <name>', 'IAM role name')
    .action(async (id: string | undefined, o: { group?: string; account?: string; role?: string }) => {
      const { DomainError, findAccount, resolveGroup } = await lib();
      const store = await ctx.store();
      const svc = await accessOf(store);
      let bindingId = id;
      if (!bindingId) {
        if (!o.group || !o.account || !o.role)
          throw new CliUsageError('give a binding id, or --group, --account and --role');
        const group = await resolveGroup(store.directory, o.group);
        const account = findAccount(await svc.listAccounts(), o.account);
        const hit = (await svc.listBindings({ groupId: group.id, accountId: account.id })).find(
          (b) => b.roleName.toLowerCase() === o.role!.toLowerCase(),
        );
        if (!hit)
          throw new DomainError(
            'not_found',
            `group ${group.displayName} has no binding to role ${o.role} in ${account.name}`,
          );
        bindingId = hit.id;
      }
      const b = await svc.removeBinding(ctx.actor, bindingId);
      ctx.out(`removed binding ${b.id} (role ${b.rolePath}${b.roleName} in ${b.accountId})`);
    });

  aws
    .command('explain')
    .description('which roles a user receives, through which group and binding, and why not the others')
    .requiredOption('--user <user>', 'userName or id')
    .option('--account <account>', 'with --role: also explain this role')
    .option('--role <name>', 'with --account: also explain this role')
    .option('--app <app>', 'AWS IAM application (id or name) when there are several')
    .option('--json', 'print JSON')
    .action(async (o: { user: string; account?: string; role?: string; app?: string; json?: boolean }) => {
      const { awsIamConfigOf, defaultAwsIamAppConfig, explain, findAccount, mayUse, resolveUser } = await lib();
      const store = await ctx.store();
      const svc = await accessOf(store);
      const user = await resolveUser(store.directory, o.user);
      const [effectiveGroups, directGroups, allBindings, accts, app] = await Promise.all([
        store.directory.effectiveGroupsOfUser(user.id),
        store.directory.directGroupsOfUser(user.id),
        svc.listBindings(),
        svc.listAccounts(),
        awsApp(ctx, o.app),
      ]);
      const allGroups = new Map<string, Group>(effectiveGroups.map((g) => [g.id, g]));
      for (const gid of new Set(allBindings.map((b) => b.groupId)))
        if (!allGroups.has(gid)) allGroups.set(gid, await store.directory.getGroup(gid));
      const ask =
        o.account && o.role
          ? { accountId: /^\d{12}$/.test(o.account) ? o.account : findAccount(accts, o.account).id, roleName: o.role }
          : undefined;
      const e = explain({
        user,
        effectiveGroups,
        directGroupIds: new Set(directGroups.map((g) => g.id)),
        allGroups,
        bindings: allBindings,
        accounts: accts,
        config: app ? awsIamConfigOf(app) : defaultAwsIamAppConfig(),
        ...(app ? { appAccess: { app: app.name, allowed: mayUse(app, effectiveGroups) } } : {}),
        ...(ask ? { ask } : {}),
      });
      if (o.json) return ctx.out(json(e));
      for (const l of renderExplanation(e)) ctx.out(l);
      if (!app) ctx.err('note: no AWS IAM application exists yet; nobody receives these roles until one is created');
    });

  const iam = aws.command('iam').description('set up the AWS side: SAML provider and role trust policies');
  iam
    .command('setup')
    .description('create or update the SAML provider and the bound roles in one account (shows the plan first)')
    .requiredOption('--account <account>', 'account id or name')
    .option('--endpoint-url <url>', 'IAM/STS endpoint (e.g. the emulator); default: AWS_ENDPOINT_URL_IAM or AWS')
    .option('--profile <name>', 'AWS profile holding credentials for that account')
    .option('--region <region>', 'signing region', 'us-east-1')
    .option('--app <app>', 'AWS IAM application (id or name) when there are several')
    .option('--yes', 'apply without asking')
    .option('--plan-only', 'show the plan and stop')
    .option('--json', 'print the plan as JSON (formatVersion 1)')
    .action(
      async (o: {
        account: string;
        endpointUrl?: string;
        profile?: string;
        region: string;
        app?: string;
        yes?: boolean;
        planOnly?: boolean;
        json?: boolean;
      }) => {
        const { DomainError, awsIamConfigOf, findAccount, isDomainError } = await lib();
        const store = await ctx.store();
        const svc = await accessOf(store);
        const accts = await svc.listAccounts();
        const account = findAccount(accts, o.account);
        const app = await awsApp(ctx, o.app);
        if (!app)
          throw new DomainError(
            'not_found',
            'no AWS IAM application exists; create one first (keyway apps create --type aws-iam …)',
          );
        const config = awsIamConfigOf(app);
        const rt = await samlRuntime(ctx, store);
        const { applyIamPlan, iamClient, planIamSetup, renderPlan, stsClient } = await import('../../aws/index.js');
        const metadataXml = await rt.metadataXml(new Date());
        const endpoint = o.endpointUrl ?? ctx.io.env.AWS_ENDPOINT_URL_IAM ?? ctx.io.env.AWS_ENDPOINT_URL;
        const target = {
          region: o.region,
          ...(endpoint ? { endpoint } : {}),
          ...(o.profile ? { profile: o.profile } : {}),
        };
        const conn = {
          accountId: account.id,
          iam: iamClient(target),
          sts: stsClient({
            ...target,
            ...(ctx.io.env.AWS_ENDPOINT_URL_STS && !o.endpointUrl ? { endpoint: ctx.io.env.AWS_ENDPOINT_URL_STS } : {}),
          }),
        };
        ctx.onCleanup(() => {
          conn.iam.destroy();
          conn.sts.destroy();
        });
        const plan = await planIamSetup({
          accounts: [conn],
          config,
          bindings: await svc.listBindings({ accountId: account.id }),
          metadataXml,
        });
        if (o.json) ctx.out(json(plan));
        else ctx.io.stdout.write(renderPlan(plan, { accountNames: new Map(accts.map((a) => [a.id, a.name])) }));
        if (plan.changes.length === 0 || o.planOnly) return;
        if (!o.yes) {
          if (!ctx.io.stdin.isTTY) throw new CliUsageError('nothing was changed: re-run with --yes to apply this plan');
          if (!(await confirm(ctx, 'Apply these changes in AWS? Only "yes" is accepted: ')))
            throw new CliUsageError('nothing was changed');
        }
        const started = Date.now();
        try {
          await applyIamPlan(plan, [conn], ({ change, status }) => {
            if (status === 'done')
              ctx.err(
                `${change.action === 'create' ? 'created' : 'updated'} ${change.resource} ${change.name} (${Math.round((Date.now() - started) / 100) / 10}s)`,
              );
          });
        } catch (e) {
          await store.audit.record({
            action: 'aws.iam.setup',
            actor: ctx.actor,
            outcome: 'failure',
            reason: isDomainError(e) ? e.code : 'aws_error',
            target: { type: 'aws-account', id: account.id, label: account.name },
            details: { message: e instanceof Error ? e.message : String(e) },
          });
          throw e;
        }
        await store.audit.record({
          action: 'aws.iam.setup',
          actor: ctx.actor,
          outcome: 'success',
          target: { type: 'aws-account', id: account.id, label: account.name },
          details: { changes: plan.changes.map((c) => `${c.action} ${c.resource} ${c.name}`) },
        });
        ctx.out(
          `Apply complete: ${plan.changes.filter((c) => c.action === 'create').length} created, ${plan.changes.filter((c) => c.action === 'update').length} updated.`,
        );
      },
    );
}
