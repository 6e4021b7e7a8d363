import { planSummary, type IamChange, type IamPlan, type PolicyDocument } from '../core/index.js';

export interface RenderOptions {
  /** Account id → name, for headings. */
  readonly accountNames?: ReadonlyMap<string, string>;
}

const describeTrust = (p: PolicyDocument): string[] =>
  p.Statement.map((s) => {
    const actions = Array.isArray(s.Action) ? s.Action.join(', ') : String(s.Action);
    const principal = s.Principal && s.Principal !== '*' ? Object.values(s.Principal).flat().join(', ') : '*';
    const cond = s.Condition
      ? Object.entries(s.Condition)
          .flatMap(([op, kv]) =>
            Object.entries(kv).map(([k, v]) => `${k} ${op} ${Array.isArray(v) ? v.join('|') : String(v)}`),
          )
          .join('; ')
      : '';
    return `${s.Effect} ${actions} from ${principal}${cond ? ` when ${cond}` : ''}`;
  });

const compact = (v: unknown): string => (v === null ? '(unreadable)' : JSON.stringify(v));

function renderChange(c: IamChange): string[] {
  switch (c.resource) {
    case 'saml-provider':
      return c.action === 'create'
        ? [
            `  + saml-provider ${c.name}`,
            `      arn: ${c.arn}`,
            '      metadata: Keyway IdP metadata (current signing certificates)',
          ]
        : [
            `  ~ saml-provider ${c.name}`,
            `      arn: ${c.arn}`,
            ...c.reasons.map((r) => `      ${r}`),
            "      metadata: replaced with Keyway's current IdP metadata",
          ];
    case 'role':
      return [
        `  + role ${c.path}${c.name}`,
        `      arn: ${c.arn}`,
        `      max session: ${c.maxSessionDuration}s`,
        ...describeTrust(c.trustPolicy).map((t) => `      trust: ${t}`),
      ];
    case 'trust-policy':
      return [
        `  ~ role ${c.name} trust policy`,
        `      arn: ${c.arn}`,
        `      - ${compact(c.before)}`,
        `      + ${compact(c.after)}`,
      ];
  }
}

/** Terraform's grammar: `+` create, `~` update, `-` delete, a summary line, and "No changes." when there are none. */
export function renderPlan(plan: IamPlan, opts: RenderOptions = {}): string {
  const lines: string[] = [];
  for (const accountId of plan.accounts) {
    const changes = plan.changes.filter((c) => c.accountId === accountId);
    if (changes.length === 0) continue;
    const name = opts.accountNames?.get(accountId);
    lines.push(`# AWS account ${accountId}${name ? ` (${name})` : ''}`);
    for (const c of changes) lines.push(...renderChange(c));
    lines.push('');
  }
  if (plan.findings.length > 0) {
    lines.push('Findings:');
    for (const f of plan.findings) lines.push(`  ! ${f.severity} in ${f.accountId}: ${f.message}`);
    lines.push('');
  }
  if (plan.changes.length === 0) {
    lines.push(`No changes. AWS IAM matches Keyway for ${plan.accounts.join(', ')}.`);
  } else {
    const s = planSummary(plan);
    lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.`);
  }
  return `${lines.join('\n')}\n`;
}
