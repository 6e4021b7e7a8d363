/**
 * A world of any size, for scale tests and benchmarks: one management account, `accounts - 1` members spread
 * round-robin over `ous` organisational units under the root, deterministic ids, names and tags.
 */
export function generatedWorld(accounts: number, ous: number): Record<string, unknown> {
  const root = 'r-gen0';
  const ouIds = Array.from({ length: ous }, (_, i) => `ou-gen0-${String(i).padStart(8, '0')}`);
  const list: Record<string, unknown>[] = [
    {
      id: '100000000000',
      name: 'Management',
      email: 'management@example.com',
      joinedTimestamp: '2020-01-01T00:00:00Z',
    },
  ];
  for (let i = 1; i < accounts; i++) {
    list.push({
      id: String(100000000000 + i),
      name: `Account ${String(i).padStart(4, '0')}`,
      email: `account${i}@example.com`,
      parent: ouIds[i % Math.max(ous, 1)] ?? root,
      joinedTimestamp: '2021-01-01T00:00:00Z',
      tags: { Index: String(i), Environment: i % 3 === 0 ? 'production' : 'development' },
    });
  }
  return {
    organization: { id: 'o-generated01', rootId: root, managementAccountId: '100000000000' },
    organizationalUnits: ouIds.map((id, i) => ({ id, name: `Unit ${String(i).padStart(2, '0')}` })),
    accounts: list,
  };
}
