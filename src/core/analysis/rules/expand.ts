import { wildcardRegExp } from '../../../iam-policy/index.js';
import type { AnalysisContext } from '../context.js';

/** The catalogued actions that any of the patterns names, looked up per service so `s3:*` reads only S3. */
export function actionsMatching(context: AnalysisContext, patterns: readonly string[]): string[] {
  const byService = context.once('actions-by-service', () => {
    const map = new Map<string, string[]>();
    for (const a of context.input.catalogue.actions) {
      const list = map.get(a.service) ?? [];
      list.push(a.name);
      map.set(a.service, list);
    }
    return map;
  });
  const out = new Set<string>();
  for (const pattern of patterns) {
    const re = wildcardRegExp(pattern, true);
    const service = pattern.split(':')[0] ?? '';
    const candidates = /[*?]/.test(service)
      ? [...byService.values()].flat()
      : (byService.get(service.toLowerCase()) ?? []);
    for (const name of candidates) if (re.test(name)) out.add(name);
  }
  return [...out];
}
