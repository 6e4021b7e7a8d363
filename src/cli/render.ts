/** Renderers for command output, kept apart from the commands' logic. */

export const table = (
  headers: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string[] => {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
};

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `key: value` lines for one object, skipping empty values. */
export const details = (pairs: readonly (readonly [string, unknown])[]): string[] => {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
};
