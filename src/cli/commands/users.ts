/** keyway users create|list|show|update|suspend|activate|delete|set-password */
import type { Command } from 'commander';
import type { NewUser, User, UserPatch, UserStatus } from '../../core/index.js';
import { createUserWithPassword, resetTotp, setPassword } from '../../server/index.js';
import { CliUsageError } from '../command.js';
import type { CliCommand, CliContext } from '../command.js';
import { details, json, table } from '../render.js';
import { attributesFrom, collect, oneOf, positiveInt, resolveUser } from './shared.js';

interface UserFieldOptions {
  givenName?: string;
  familyName?: string;
  displayName?: string;
  email?: string[];
  externalId?: string;
  attr?: string[];
}

const withFieldOptions = (c: Command): Command =>
  c
    .option('--given-name <name>', 'given (first) name')
    .option('--family-name <name>', 'family (last) name')
    .option('--display-name <name>', 'display name')
    .option('--email <address>', 'email address (repeat for several; the first is primary)', collect)
    .option('--external-id <id>', 'id of this user in another system')
    .option('--attr <key=value>', 'custom attribute (repeat a key for several values)', collect);

const fieldsFrom = (o: UserFieldOptions): UserPatch => ({
  ...(o.givenName !== undefined ? { givenName: o.givenName } : {}),
  ...(o.familyName !== undefined ? { familyName: o.familyName } : {}),
  ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
  ...(o.email ? { emails: o.email.map((value, i) => ({ value, primary: i === 0 })) } : {}),
  ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
  ...(o.attr ? { attributes: attributesFrom(o.attr) } : {}),
});

const primaryEmail = (u: User) => (u.emails.find((e) => e.primary) ?? u.emails[0])?.value;

const showUser = async (ctx: CliContext, u: User, groups: readonly string[]) => {
  for (const l of details([
    ['id', u.id],
    ['userName', u.userName],
    ['displayName', u.displayName],
    ['givenName', u.givenName],
    ['familyName', u.familyName],
    ['emails', u.emails.map((e) => e.value).join(', ')],
    ['externalId', u.externalId],
    ['status', u.status],
    ['groups', groups.join(', ')],
    ['attributes', Object.keys(u.attributes).length ? u.attributes : undefined],
    ['created', u.createdAt],
    ['updated', u.updatedAt],
    ['version', u.version],
  ]))
    ctx.out(l);
};

export const usersCommand: CliCommand = {
  name: 'users',
  register(program, ctx) {
    const users = program.command('users').description('manage users');

    withFieldOptions(
      users
        .command('create')
        .description('create a user')
        .argument('<userName>', 'unique user name (case-insensitive)'),
    )
      .option('--suspended', 'create the user suspended')
      .option('--password-file <path>', "set a password read from this file ('-' for stdin)")
      .option('--with-password', 'set a password read from stdin or a hidden prompt')
      .option('--json', 'print the created user as JSON')
      .action(
        async (
          userName: string,
          o: UserFieldOptions & { suspended?: boolean; passwordFile?: string; withPassword?: boolean; json?: boolean },
        ) => {
          // Read (and check) the password before creating anything, so a bad password leaves no half-made user.
          const password =
            o.passwordFile || o.withPassword
              ? await ctx.readSecret({
                  ...(o.passwordFile ? { file: o.passwordFile } : {}),
                  prompt: `Password for ${userName}: `,
                  confirm: true,
                })
              : undefined;
          const store = await ctx.store();
          const input: NewUser = {
            userName,
            ...fieldsFrom(o),
            ...(o.suspended ? { status: 'suspended' as UserStatus } : {}),
          };
          const user = await createUserWithPassword({ store }, ctx.actor, input, password);
          if (o.json) ctx.out(json(user));
          else ctx.out(`created user ${user.userName} (${user.id})${password !== undefined ? ' with a password' : ''}`);
        },
      );

    users
      .command('list')
      .description('list users')
      .option('--search <prefix>', 'userName, displayName or email starts with (case-insensitive)')
      .option('--user-name <userName>', 'exact userName (case-insensitive)')
      .option('--status <status>', 'active or suspended', oneOf(['active', 'suspended'] as const))
      .option('--limit <n>', 'page size (1-500)', positiveInt(500), 100)
      .option('--cursor <cursor>', 'continue after a previous page')
      .option('--json', 'print JSON ({ items, nextCursor, total })')
      .action(
        async (o: {
          search?: string;
          userName?: string;
          status?: UserStatus;
          limit: number;
          cursor?: string;
          json?: boolean;
        }) => {
          const store = await ctx.store();
          const page = await store.directory.listUsers({
            ...(o.search ? { search: o.search } : {}),
            ...(o.userName ? { userName: o.userName } : {}),
            ...(o.status ? { status: o.status } : {}),
            ...(o.cursor ? { cursor: o.cursor } : {}),
            limit: o.limit,
            count: true,
          });
          if (o.json) return ctx.out(json(page));
          for (const l of table(
            ['USERNAME', 'DISPLAY NAME', 'EMAIL', 'STATUS', 'ID'],
            page.items.map((u) => [u.userName, u.displayName, primaryEmail(u), u.status, u.id]),
          ))
            ctx.out(l);
          ctx.err(
            `${page.items.length} of ${page.total} users${page.nextCursor ? ` (more: --cursor ${page.nextCursor})` : ''}`,
          );
        },
      );

    users
      .command('show')
      .description('show one user and their groups')
      .argument('<user>', 'userName or id')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: { json?: boolean }) => {
        const store = await ctx.store();
        const user = await resolveUser(store.directory, ref);
        const groups = await store.directory.effectiveGroupsOfUser(user.id);
        if (o.json) return ctx.out(json({ ...user, groups: groups.map((g) => g.displayName) }));
        await showUser(
          ctx,
          user,
          groups.map((g) => g.displayName),
        );
      });

    withFieldOptions(users.command('update').description("change a user's fields").argument('<user>', 'userName or id'))
      .option('--user-name <userName>', 'rename the user')
      .action(async (ref: string, o: UserFieldOptions & { userName?: string }) => {
        const patch: UserPatch = { ...fieldsFrom(o), ...(o.userName ? { userName: o.userName } : {}) };
        if (Object.keys(patch).length === 0)
          throw new CliUsageError('nothing to change; give at least one option (see keyway users update --help)');
        const store = await ctx.store();
        const user = await resolveUser(store.directory, ref);
        const updated = await store.directory.updateUser(ctx.actor, user.id, patch, user.version);
        ctx.out(`updated user ${updated.userName} (version ${updated.version})`);
      });

    for (const [name, status] of [
      ['suspend', 'suspended'],
      ['activate', 'active'],
    ] as const) {
      users
        .command(name)
        .description(
          name === 'suspend'
            ? 'suspend a user (they cannot sign in; their sessions end)'
            : 'reactivate a suspended user',
        )
        .argument('<user>', 'userName or id')
        .action(async (ref: string) => {
          const store = await ctx.store();
          const user = await resolveUser(store.directory, ref);
          await store.directory.setUserStatus(ctx.actor, user.id, status);
          if (status === 'suspended') await store.sessions.deleteForUser(user.id);
          ctx.out(`${user.userName} is now ${status}`);
        });
    }

    users
      .command('delete')
      .description('delete a user')
      .argument('<user>', 'userName or id')
      .action(async (ref: string) => {
        const store = await ctx.store();
        const user = await resolveUser(store.directory, ref);
        await store.directory.deleteUser(ctx.actor, user.id);
        await store.sessions.deleteForUser(user.id);
        ctx.out(`deleted user ${user.userName}`);
      });

    users
      .command('reset-totp')
      .description("remove a user's authenticator app (when they lost it); they can set up a new one after signing in")
      .argument('<user>', 'userName or id')
      .action(async (ref: string) => {
        const store = await ctx.store();
        const user = await resolveUser(store.directory, ref);
        await resetTotp({ store }, ctx.actor, user.id);
        ctx.out(`removed the authenticator app of ${user.userName}`);
      });

    users
      .command('set-password')
      .description(
        "set a user's password (from --password-file, piped stdin or a hidden prompt; never from the command line)",
      )
      .argument('<user>', 'userName or id')
      .option('--password-file <path>', "read the password from this file ('-' for stdin)")
      .action(async (ref: string, o: { passwordFile?: string }) => {
        const password = await ctx.readSecret({
          ...(o.passwordFile ? { file: o.passwordFile } : {}),
          prompt: `New password for ${ref}: `,
          confirm: true,
        });
        const store = await ctx.store();
        const user = await resolveUser(store.directory, ref);
        await setPassword({ store }, ctx.actor, user.id, password);
        ctx.out(`password set for ${user.userName}; their sessions were ended`);
      });
  },
};
