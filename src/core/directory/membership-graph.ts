import type { DirectoryReader } from './ports.js';

/**
 * Walks of the group-in-group graph, one query per level. The graph is acyclic by construction (cycles are
 * rejected on insert), but the walks still keep a visited set so corrupted data cannot loop them forever.
 */
const MAX_DEPTH = 1000;

async function walk(
  start: readonly string[],
  next: (ids: readonly string[]) => Promise<readonly string[]>,
  stopAt?: string,
): Promise<Set<string> | 'found'> {
  const seen = new Set<string>(start);
  let frontier = [...start];
  for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
    const found: string[] = [];
    for (const id of await next(frontier)) {
      if (id === stopAt) return 'found';
      if (!seen.has(id)) {
        seen.add(id);
        found.push(id);
      }
    }
    frontier = found;
  }
  return seen;
}

/** True when putting `childId` into `parentId` would make some group contain itself. */
export async function wouldCreateCycle(reader: DirectoryReader, parentId: string, childId: string): Promise<boolean> {
  if (parentId === childId) return true;
  return (await walk([childId], (ids) => reader.childGroupIds(ids), parentId)) === 'found';
}

/** The group and every group nested in it, at any depth. */
export async function nestedGroupIds(reader: DirectoryReader, groupId: string): Promise<string[]> {
  const all = await walk([groupId], (ids) => reader.childGroupIds(ids));
  return all === 'found' ? [groupId] : [...all];
}
