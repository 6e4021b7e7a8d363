/** keyway groups create|list|show|update|add-member|remove-member|delete */
import type { Member } from '../../core/index.js';
import { CliUsageError } from '../command.js';
import type { CliCommand, CliContext } from '../command.js';
import { details, json, table } from '../render.js';
import { positiveInt, resolveGroup, resolveUser } from './shared.js';

const memberFrom = async (
  ctx: CliContext,
  ref: string,
  asGroup: boolean,
): Promise<{ member: Member; label: string }> => {
  const dir = (await ctx.store()).directory;
  if (asGroup) {
    const g = await resolveGroup(dir, ref);
    return { member: { kind: 'group', id: g.id }, label: `group ${g.displayName}` };
  }
  const u = await resolveUser(dir, ref);
  return { member: { kind: 'user', id: u.id }, label: `user ${u.userName}` };
};

export const groupsCommand: CliCommand = {
  name: 'groups',
  register(program, ctx) {
    const groups = program.command('groups').description('manage groups and their members (groups may contain groups)');

    groups
      .command('create')
      .description('create a group')
      .argument('<displayName>', 'unique name (case-insensitive)')
      .option('--description <text>', 'what the group is for')
      .option('--external-id <id>', 'id of this group in another system')
      .option('--json', 'print the created group as JSON')
      .action(async (displayName: string, o: { description?: string; externalId?: string; json?: boolean }) => {
        const store = await ctx.store();
        const group = await store.directory.createGroup(ctx.actor, {
          displayName,
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
        });
        if (o.json) ctx.out(json(group));
        else ctx.out(`created group ${group.displayName} (${group.id})`);
      });

    groups
      .command('list')
      .description('list groups')
      .option('--search <prefix>', 'displayName starts with (case-insensitive)')
      .option('--limit <n>', 'page size (1-500)', positiveInt(500), 100)
      .option('--cursor <cursor>', 'continue after a previous page')
      .option('--json', 'print JSON ({ items, nextCursor, total })')
      .action(async (o: { search?: string; limit: number; cursor?: string; json?: boolean }) => {
        const store = await ctx.store();
        const page = await store.directory.listGroups({
          ...(o.search ? { search: o.search } : {}),
          ...(o.cursor ? { cursor: o.cursor } : {}),
          limit: o.limit,
          count: true,
        });
        if (o.json) return ctx.out(json(page));
        for (const l of table(
          ['DISPLAY NAME', 'DESCRIPTION', 'ID'],
          page.items.map((g) => [g.displayName, g.description, g.id]),
        ))
          ctx.out(l);
        ctx.err(
          `${page.items.length} of ${page.total} groups${page.nextCursor ? ` (more: --cursor ${page.nextCursor})` : ''}`,
        );
      });

    groups
      .command('show')
      .description('show a group and its direct members')
      .argument('<group>', 'displayName or id')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: { json?: boolean }) => {
        const dir = (await ctx.store()).directory;
        const group = await resolveGroup(dir, ref);
        const members = await dir.listMembers(group.id);
        const labels: string[] = [];
        for (const m of members)
          labels.push(
            m.kind === 'user'
              ? `user:${(await dir.getUser(m.id)).userName}`
              : `group:${(await dir.getGroup(m.id)).displayName}`,
          );
        if (o.json) return ctx.out(json({ ...group, members }));
        for (const l of details([
          ['id', group.id],
          ['displayName', group.displayName],
          ['description', group.description],
          ['externalId', group.externalId],
          ['created', group.createdAt],
          ['version', group.version],
        ]))
          ctx.out(l);
        ctx.out(`members:${labels.length ? '' : ' (none)'}`);
        for (const l of labels) ctx.out(`  ${l}`);
      });

    groups
      .command('update')
      .description("change a group's fields")
      .argument('<group>', 'displayName or id')
      .option('--display-name <name>', 'rename the group')
      .option('--description <text>', 'new description')
      .action(async (ref: string, o: { displayName?: string; description?: string }) => {
        if (o.displayName === undefined && o.description === undefined)
          throw new CliUsageError('nothing to change; give --display-name or --description');
        const dir = (await ctx.store()).directory;
        const group = await resolveGroup(dir, ref);
        const updated = await dir.updateGroup(
          ctx.actor,
          group.id,
          {
            ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
            ...(o.description !== undefined ? { description: o.description } : {}),
          },
          group.version,
        );
        ctx.out(`updated group ${updated.displayName} (version ${updated.version})`);
      });

    for (const [name, verb] of [
      ['add-member', 'add'],
      ['remove-member', 'remove'],
    ] as const) {
      groups
        .command(name)
        .description(`${verb} a user (by userName or id) or, with --group, a nested group`)
        .argument('<group>', 'displayName or id of the group')
        .argument('<member>', 'userName/id of the user, or displayName/id of the group with --group')
        .option('--group', 'the member is a group')
        .action(async (groupRef: string, memberRef: string, o: { group?: boolean }) => {
          const dir = (await ctx.store()).directory;
          const group = await resolveGroup(dir, groupRef);
          const { member, label } = await memberFrom(ctx, memberRef, o.group === true);
          if (verb === 'add') await dir.addMember(ctx.actor, group.id, member);
          else await dir.removeMember(ctx.actor, group.id, member);
          ctx.out(
            verb === 'add' ? `added ${label} to ${group.displayName}` : `removed ${label} from ${group.displayName}`,
          );
        });
    }

    groups
      .command('delete')
      .description('delete a group')
      .argument('<group>', 'displayName or id')
      .action(async (ref: string) => {
        const dir = (await ctx.store()).directory;
        const group = await resolveGroup(dir, ref);
        await dir.deleteGroup(ctx.actor, group.id);
        ctx.out(`deleted group ${group.displayName}`);
      });
  },
};
