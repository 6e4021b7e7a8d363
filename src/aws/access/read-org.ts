/**
 * The organisation tree from AWS Organizations: each account with its OU path (names from the root), and its
 * tags only when a selector asks for tags. Pages are followed to the end (the Organizations docs ask callers
 * to check NextToken even on an empty page).
 */
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrgAccount, OrgSnapshot } from '../../core/index.js';
import { inPool } from './pacing.js';

async function pages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await fetch(token);
    out.push(...p.items);
    token = p.next;
  } while (token);
  return out;
}

export async function readOrganization(
  org: OrganizationsClient,
  options: { readonly tags: boolean; readonly progress?: (line: string) => void },
): Promise<OrgSnapshot> {
  const desc = await org.send(new DescribeOrganizationCommand({}));
  const roots = await pages(async (NextToken) => {
    const r = await org.send(new ListRootsCommand({ NextToken }));
    return { items: r.Roots ?? [], next: r.NextToken };
  });
  const accounts: { id: string; name: string; status: string; ouPath: string[] }[] = [];
  let frontier = roots.map((r) => ({ id: r.Id as string, path: [] as string[] }));
  while (frontier.length) {
    const next: { id: string; path: string[] }[] = [];
    await inPool(frontier, 4, async (parent) => {
      const [ous, accts] = await Promise.all([
        pages(async (NextToken) => {
          const r = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken }));
          return { items: r.OrganizationalUnits ?? [], next: r.NextToken };
        }),
        pages(async (NextToken) => {
          const r = await org.send(new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }));
          return { items: r.Accounts ?? [], next: r.NextToken };
        }),
      ]);
      for (const ou of ous) next.push({ id: ou.Id as string, path: [...parent.path, ou.Name ?? ''] });
      for (const a of accts)
        accounts.push({ id: a.Id as string, name: a.Name ?? '', status: a.Status ?? 'ACTIVE', ouPath: parent.path });
    });
    frontier = next;
  }
  options.progress?.(`read ${accounts.length} accounts from AWS Organizations`);
  const withTags: OrgAccount[] = options.tags
    ? await inPool(accounts, 4, async (a) => {
        const tags = await pages(async (NextToken) => {
          const r = await org.send(new ListTagsForResourceCommand({ ResourceId: a.id, NextToken }));
          return { items: r.Tags ?? [], next: r.NextToken };
        });
        return { ...a, tags: Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])) };
      })
    : accounts.map((a) => ({ ...a, tags: {} }));
  return {
    managementAccountId: desc.Organization?.MasterAccountId ?? '',
    accounts: withTags.sort((a, b) => a.id.localeCompare(b.id)),
  };
}

export { pages };
