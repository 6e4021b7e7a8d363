/**
 * Policies in plain words: for each statement, allow or deny, which services, read or write, on which
 * resources. The access level comes from the action's verb, the way IAM's own access-level table groups them
 * (Get/List/Describe… read; everything else changes something).
 */
const READ_VERBS =
  /^(Get|List|Describe|Head|View|Search|Lookup|Scan|Query|BatchGet|Select|Check|Validate|Estimate|Preview)/;

type Json = unknown;
const list = (v: Json): string[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

function levelOf(actions: string[]): string {
  if (actions.some((a) => a === '*' || a.endsWith(':*'))) return 'all actions';
  const read = actions.filter((a) => READ_VERBS.test(a.split(':')[1] ?? ''));
  if (read.length === actions.length) return 'read';
  if (read.length === 0) return 'write';
  return 'read and write';
}

function servicesOf(actions: string[]): string {
  if (actions.includes('*')) return 'every service';
  const s = [...new Set(actions.map((a) => a.split(':')[0] ?? a))].sort();
  return s.length > 8 ? `${s.slice(0, 8).join(', ')} and ${s.length - 8} more services` : s.join(', ');
}

function resourcesOf(resources: string[], not: boolean): string {
  if (resources.length === 0) return '';
  if (!not && resources.includes('*')) return 'on every resource';
  return `${not ? 'on everything except' : 'on'} ${resources.join(', ')}`;
}

/** One line per statement, e.g. "Allows read on s3 on arn:aws:s3:::logs/*". */
export function summarisePolicy(doc: Json): string[] {
  const d = doc as { Statement?: Json };
  const statements = Array.isArray(d?.Statement) ? d.Statement : d?.Statement ? [d.Statement] : [];
  return statements.map((raw) => {
    const s = raw as Record<string, Json>;
    const effect = s.Effect === 'Deny' ? 'Denies' : 'Allows';
    const notAction = s.NotAction !== undefined;
    const actions = list(notAction ? s.NotAction : s.Action);
    const what = notAction
      ? `every action except ${actions.join(', ')}`
      : `${levelOf(actions)} on ${servicesOf(actions)}${actions.length <= 4 && !actions.includes('*') ? ` (${actions.join(', ')})` : ''}`;
    const where = resourcesOf(list(s.NotResource ?? s.Resource), s.NotResource !== undefined);
    const when = s.Condition ? ' when conditions hold' : '';
    return `${effect} ${what}${where ? ` ${where}` : ''}${when}`;
  });
}
