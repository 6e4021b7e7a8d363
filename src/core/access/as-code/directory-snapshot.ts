/** The part of Keyway's directory that effective access needs: users, groups and who is in what. */
export interface DirectorySnapshot {
  readonly users: readonly { readonly id: string; readonly userName: string; readonly status: string }[];
  readonly groups: readonly { readonly id: string; readonly displayName: string }[];
  readonly members: readonly { readonly groupId: string; readonly kind: 'user' | 'group'; readonly id: string }[];
}

export interface GroupPath {
  readonly userId: string;
  /** Group names from the user's direct group up to the group that holds the access. */
  readonly path: readonly string[];
}

/**
 * For one group: every user inside it at any depth, with the first path found (breadth-first, so the
 * shortest). Guards against cycles although the directory refuses them.
 */
export function membersWithPaths(dir: DirectorySnapshot, groupId: string): GroupPath[] {
  const name = new Map(dir.groups.map((g) => [g.id, g.displayName]));
  const children = new Map<string, { kind: 'user' | 'group'; id: string }[]>();
  for (const m of dir.members) {
    const list = children.get(m.groupId) ?? [];
    list.push(m);
    children.set(m.groupId, list);
  }
  const out = new Map<string, string[]>();
  const seen = new Set<string>([groupId]);
  let frontier: { id: string; path: string[] }[] = [{ id: groupId, path: [name.get(groupId) ?? groupId] }];
  while (frontier.length) {
    const next: { id: string; path: string[] }[] = [];
    for (const f of frontier)
      for (const m of children.get(f.id) ?? []) {
        if (m.kind === 'user') {
          if (!out.has(m.id)) out.set(m.id, f.path);
        } else if (!seen.has(m.id)) {
          seen.add(m.id);
          next.push({ id: m.id, path: [name.get(m.id) ?? m.id, ...f.path] });
        }
      }
    frontier = next;
  }
  return [...out.entries()].map(([userId, path]) => ({ userId, path }));
}

interface DirectoryReading {
  listUsers(q: { cursor?: string; limit?: number }): Promise<{
    items: readonly { id: string; userName: string; status: string }[];
    nextCursor?: string;
  }>;
  listGroups(q: { cursor?: string; limit?: number }): Promise<{
    items: readonly { id: string; displayName: string }[];
    nextCursor?: string;
  }>;
  listMembers(groupId: string): Promise<readonly { kind: 'user' | 'group'; id: string }[]>;
}

/** Reads every user, group and membership through the directory service, page by page. */
export async function readDirectorySnapshot(dir: DirectoryReading): Promise<DirectorySnapshot> {
  const users: { id: string; userName: string; status: string }[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const p = await dir.listUsers({ limit: 500, ...(cursor ? { cursor } : {}) });
    users.push(...p.items.map((u) => ({ id: u.id, userName: u.userName, status: u.status })));
    cursor = p.nextCursor;
  }
  const groups: { id: string; displayName: string }[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const p = await dir.listGroups({ limit: 500, ...(cursor ? { cursor } : {}) });
    groups.push(...p.items.map((g) => ({ id: g.id, displayName: g.displayName })));
    cursor = p.nextCursor;
  }
  const members: { groupId: string; kind: 'user' | 'group'; id: string }[] = [];
  for (const g of groups)
    for (const m of await dir.listMembers(g.id)) members.push({ groupId: g.id, kind: m.kind, id: m.id });
  return { users, groups, members };
}
