/**
 * The demo organisation, created the first time the demo runs on an empty directory. The passwords are fixed
 * so the README can name them; they are for the local demo only.
 */
import { systemActor } from '../core/index.js';
import { hashPassword } from '../auth/index.js';
import type { DemoStep } from './types.js';

export interface DemoUser {
  readonly userName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly password: string;
  readonly groups: readonly string[];
  readonly title: string;
}

export const demoGroups: readonly { displayName: string; description: string; parent?: string }[] = [
  { displayName: 'Engineering', description: 'Everyone who builds the product' },
  { displayName: 'Developers', description: 'Application developers', parent: 'Engineering' },
  { displayName: 'Operations', description: 'Runs production' },
  { displayName: 'Admins', description: 'Administrators of Keyway and AWS' },
  { displayName: 'Finance', description: 'Reads the bills' },
];

export const demoUsers: readonly DemoUser[] = [
  {
    userName: 'alice',
    givenName: 'Alice',
    familyName: 'Anders',
    password: 'alice-keyway-demo',
    groups: ['Admins', 'Operations'],
    title: 'administrator',
  },
  {
    userName: 'bob',
    givenName: 'Bob',
    familyName: 'Baker',
    password: 'bob-keyway-demo',
    groups: ['Developers'],
    title: 'developer (in Engineering through Developers)',
  },
  {
    userName: 'carol',
    givenName: 'Carol',
    familyName: 'Chen',
    password: 'carol-keyway-demo',
    groups: ['Operations', 'Engineering'],
    title: 'operations engineer',
  },
  {
    userName: 'dave',
    givenName: 'Dave',
    familyName: 'Diaz',
    password: 'dave-keyway-demo',
    groups: ['Finance'],
    title: 'finance analyst',
  },
];

export const demoDomain = 'example.com';

export const seedOrganisation: DemoStep = {
  name: 'demo organisation',
  async seed(ctx) {
    const [users, groups] = await Promise.all([
      ctx.store.directory.listUsers({ limit: 1 }),
      ctx.store.directory.listGroups({ limit: 1 }),
    ]);
    const fresh = users.total === 0 && groups.total === 0;
    if (fresh) {
      const actor = systemActor('demo-seed');
      const hashes = await Promise.all(demoUsers.map((u) => hashPassword(u.password)));
      const created = await ctx.store.directory.transaction(async (dir) => {
        const ids = new Map<string, string>();
        for (const g of demoGroups)
          ids.set(
            g.displayName,
            (await dir.createGroup(actor, { displayName: g.displayName, description: g.description })).id,
          );
        for (const g of demoGroups)
          if (g.parent)
            await dir.addMember(actor, ids.get(g.parent) as string, {
              kind: 'group',
              id: ids.get(g.displayName) as string,
            });
        const userIds: string[] = [];
        for (const u of demoUsers) {
          const user = await dir.createUser(actor, {
            userName: u.userName,
            givenName: u.givenName,
            familyName: u.familyName,
            displayName: `${u.givenName} ${u.familyName}`,
            emails: [{ value: `${u.userName}@${demoDomain}`, primary: true }],
            attributes: { title: u.title },
          });
          userIds.push(user.id);
          for (const g of u.groups) await dir.addMember(actor, ids.get(g) as string, { kind: 'user', id: user.id });
        }
        return userIds;
      });
      for (const [i, id] of created.entries()) await ctx.store.credentials.setPassword(id, hashes[i] as string);
      ctx.log(`seeded the demo organisation: ${demoUsers.length} users, ${demoGroups.length} groups`);
    }
    ctx.banner(
      fresh ? 'Demo users (created now):' : 'Demo users (unless you changed them):',
      ...demoUsers.map(
        (u) => `  ${u.userName.padEnd(6)} password ${u.password.padEnd(18)} ${u.title}; groups: ${u.groups.join(', ')}`,
      ),
    );
  },
};
