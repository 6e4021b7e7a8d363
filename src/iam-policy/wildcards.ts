/**
 * IAM's wildcards: `*` matches any run of characters, `?` any one character. Action names compare without
 * regard to case, resource ARNs with it (AWS documentation, "IAM JSON policy elements: Action" and
 * "IAM JSON policy elements: Resource").
 */

const source = (pattern: string): string =>
  pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');

/** Compiles one pattern; callers that test a pattern often keep the result (see `evaluate.ts`). */
export function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  return new RegExp(`^${source(pattern)}$`, ignoreCase ? 'is' : 's');
}

/** One expression matching any of the patterns: a statement with a thousand actions is one test, not a thousand. */
export function anyWildcardRegExp(patterns: readonly string[], ignoreCase: boolean): RegExp {
  return new RegExp(`^(?:${patterns.map(source).join('|')})$`, ignoreCase ? 'is' : 's');
}

const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/**
 * True when every string the `inner` pattern can match is also matched by `outer`. Decided by matching
 * `inner`'s text against `outer` with `outer`'s `?` restricted to non-wildcard characters: `outer`'s `*` may
 * absorb `inner`'s wildcards, nothing else may. This is a sufficient test, so a false answer only means
 * "not shown to cover" — which keeps an allow from being hidden by a deny that does not certainly cover it.
 */
export function covers(outer: string, inner: string, ignoreCase = false): boolean {
  if (outer === '*') return true;
  if (!hasWildcard(inner)) return wildcardRegExp(outer, ignoreCase).test(inner);
  const body = outer
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '[^*?]');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's').test(inner);
}

/**
 * False only when no string can match both patterns. Compares the literal text before each pattern's first
 * wildcard and after its last one; anything else is reported as a possible overlap.
 */
export function mayOverlap(a: string, b: string, ignoreCase = false): boolean {
  const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const [x, y] = [norm(a), norm(b)];
  if (!hasWildcard(x)) return wildcardRegExp(y, false).test(x);
  if (!hasWildcard(y)) return wildcardRegExp(x, false).test(y);
  const prefix = (s: string) => s.slice(0, s.search(/[*?]/));
  const suffix = (s: string) => {
    const tail = s.split('').reverse().join('');
    return tail.slice(0, tail.search(/[*?]/)).split('').reverse().join('');
  };
  const [px, py] = [prefix(x), prefix(y)];
  const [sx, sy] = [suffix(x), suffix(y)];
  const prefixesAgree = px.startsWith(py) || py.startsWith(px);
  const suffixesAgree = sx.endsWith(sy) || sy.endsWith(sx);
  return prefixesAgree && suffixesAgree;
}
