/** Renderers for `keyway access`: plans in Terraform's grammar (text and Markdown) and the access matrix. */
import { stringify } from 'csv-stringify/sync';
import type { AccessChange, AccessFinding, AccessPlan, FieldChange, MatrixRow } from '../core/index.js';
import { table } from './render.js';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;
const show = (v: unknown): string =>
  v === null || v === undefined
    ? '(none)'
    : typeof v === 'string'
      ? v
      : Array.isArray(v) && v.every((x) => typeof x === 'string')
        ? v.length
          ? v.join(', ')
          : '(none)'
        : JSON.stringify(v);
const causeNote = (c: AccessChange): string =>
  c.cause === 'drift'
    ? '  (drift: changed outside the file)'
    : c.cause === 'expired'
      ? '  (grant expired)'
      : c.cause === 'adopt'
        ? '  (adopted by the file)'
        : '';
const grantsNote = (g: readonly number[]): string =>
  g.length ? `  grant ${g.map((i) => `#${i + 1}`).join(', ')}` : '';
const fields = (fs: readonly FieldChange[]): string[] =>
  fs.map((f) => `      ~ ${f.field}: ${show(f.before)} → ${show(f.after)}`);

function changeLines(c: AccessChange): string[] {
  switch (c.kind) {
    case 'permission-set':
      if (c.action === 'create')
        return [
          `  + permission set ${c.name}`,
          `      description: ${c.desired.description}`,
          `      session duration: ${c.desired.sessionDuration}`,
          ...(c.desired.managedArns.length ? [`      managed policies: ${c.desired.managedArns.join(', ')}`] : []),
          ...(c.desired.customerManaged.length
            ? [`      customer-managed: ${c.desired.customerManaged.map((x) => `${x.path}${x.name}`).join(', ')}`]
            : []),
          ...(c.desired.inline ? [`      inline policy: ${JSON.stringify(c.desired.inline)}`] : []),
        ];
      if (c.action === 'delete')
        return [
          `  - permission set ${c.name}${causeNote(c)}`,
          ...(c.provisionedTo.length ? [`      provisioned to ${c.provisionedTo.length} account(s)`] : []),
        ];
      return [
        `  ~ permission set ${c.name}${causeNote(c)}`,
        ...fields(c.fields),
        ...(c.provisionedTo.length ? [`      re-provision to ${c.provisionedTo.length} account(s)`] : []),
      ];
    case 'assignment':
      return [
        `  ${SYMBOL[c.action]} ${c.principalType === 'USER' ? 'user ' : ''}${c.principal} → ${c.permissionSet} in ${c.accountName} (${c.accountId})${c.action === 'create' ? grantsNote(c.grants) : causeNote(c)}`,
      ];
    case 'role':
      if (c.action === 'create')
        return [
          `  + role ${c.desired.path}${c.name} in ${c.accountName} (${c.accountId})`,
          `      max session: ${c.desired.maxSessionDuration}s`,
          ...(c.desired.managedArns.length ? [`      managed policies: ${c.desired.managedArns.join(', ')}`] : []),
          ...(c.desired.inline ? [`      inline policy: ${JSON.stringify(c.desired.inline)}`] : []),
          '      trust: AssumeRoleWithSAML from Keyway',
        ];
      if (c.action === 'delete') return [`  - role ${c.name} in ${c.accountName} (${c.accountId})${causeNote(c)}`];
      return [`  ~ role ${c.name} in ${c.accountName} (${c.accountId})${causeNote(c)}`, ...fields(c.fields)];
    case 'iam': {
      const ch = c.change;
      if (ch.resource === 'saml-provider')
        return ch.action === 'create'
          ? [`  + saml-provider ${ch.name} in ${c.accountName} (${ch.accountId})`]
          : [
              `  ~ saml-provider ${ch.name} in ${c.accountName} (${ch.accountId})`,
              ...ch.reasons.map((r) => `      ${r}`),
            ];
      if (ch.resource === 'role') return [`  + role ${ch.path}${ch.name} in ${c.accountName} (${ch.accountId})`];
      return [
        `  ~ role ${ch.name} trust policy in ${c.accountName}`,
        `      - ${show(ch.before)}`,
        `      + ${show(ch.after)}`,
      ];
    }
    case 'binding':
      return [
        `  ${SYMBOL[c.action]} ${c.group} → ${c.rolePath}${c.roleName} in ${c.accountName} (${c.accountId})${c.action === 'create' ? grantsNote(c.grants) : causeNote(c)}`,
      ];
    case 'keyway-account':
      return [`  + account ${c.accountName} (${c.accountId})`];
  }
}

const GROUPS: readonly { title: string; test: (c: AccessChange) => boolean }[] = [
  { title: 'Keyway account names', test: (c) => c.kind === 'keyway-account' },
  { title: 'IAM Identity Center permission sets', test: (c) => c.kind === 'permission-set' },
  { title: 'IAM Identity Center account assignments', test: (c) => c.kind === 'assignment' },
  { title: 'IAM (iam-federation): SAML providers and roles', test: (c) => c.kind === 'iam' || c.kind === 'role' },
  { title: 'Keyway bindings (group → role)', test: (c) => c.kind === 'binding' },
];

export function countLine(changes: readonly AccessChange[]): string {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[c.kind === 'iam' ? (c.change.action === 'create' ? 'create' : 'update') : c.action]++;
  return `Plan: ${n.create} to add, ${n.update} to change, ${n.delete} to destroy.`;
}

const findingLine = (f: AccessFinding) =>
  `${f.at ? `${f.at.file}:${f.at.line}:${f.at.column}: ` : ''}${f.severity} [${f.rule}] ${f.message}`;

export function renderPlanText(
  plan: Pick<AccessPlan, 'changes' | 'effects' | 'findings'>,
  options: { title?: string } = {},
): string {
  const lines: string[] = [];
  if (options.title) lines.push(options.title, '');
  for (const g of GROUPS) {
    const cs = plan.changes.filter(g.test);
    if (!cs.length) continue;
    lines.push(`# ${g.title}`);
    for (const c of cs) lines.push(...changeLines(c));
    lines.push('');
  }
  if (plan.effects.length) {
    lines.push('Effect on people:');
    for (const e of plan.effects)
      lines.push(
        `  ${e.effect === 'gains' ? '+' : '-'} ${e.user} ${e.effect} ${e.permission} in ${e.accountName} (${e.delivery})`,
      );
    lines.push('');
  }
  if (plan.findings.length) {
    lines.push('Findings:');
    for (const f of plan.findings) lines.push(`  ! ${findingLine(f)}`);
    lines.push('');
  }
  lines.push(plan.changes.length === 0 ? 'No changes. AWS and Keyway match the access file.' : countLine(plan.changes));
  return `${lines.join('\n')}\n`;
}

/** For a pull-request comment: the same plan in a diff block, effects and findings as lists. */
export function renderPlanMarkdown(plan: Pick<AccessPlan, 'changes' | 'effects' | 'findings' | 'files'>): string {
  const out: string[] = [`### Keyway access plan (${plan.files.map((f) => `\`${f}\``).join(', ')})`, ''];
  if (plan.changes.length === 0) out.push('**No changes.** AWS and Keyway match the access file.');
  else {
    out.push(`**${countLine(plan.changes)}**`, '', '```diff');
    for (const g of GROUPS) {
      const cs = plan.changes.filter(g.test);
      if (!cs.length) continue;
      out.push(`# ${g.title}`);
      // In a diff block a line must start with its symbol to be coloured.
      for (const c of cs)
        for (const l of changeLines(c)) out.push(l.replace(/^ {2}([+~-]) /, '$1 ').replace(/^ {6}/, '    '));
    }
    out.push('```');
  }
  if (plan.effects.length) {
    out.push('', '#### Effect on people', '');
    for (const e of plan.effects)
      out.push(`- **${e.user}** ${e.effect} ${e.permission} in ${e.accountName} (${e.delivery})`);
  }
  if (plan.findings.length) {
    out.push('', '#### Findings', '');
    for (const f of plan.findings) out.push(`- ${f.severity === 'error' ? '❌' : '⚠️'} \`${findingLine(f)}\``);
  }
  return `${out.join('\n')}\n`;
}

export const MATRIX_COLUMNS = [
  'user',
  'status',
  'path',
  'grant',
  'permission',
  'account',
  'account id',
  'delivery',
  'until',
  'source',
] as const;

export const matrixCells = (r: MatrixRow): string[] => [
  r.user,
  r.userStatus,
  r.path.join(' → '),
  r.grant,
  r.permission,
  r.accountName,
  r.accountId,
  r.delivery,
  r.until ?? '',
  r.source,
];

export const renderMatrixText = (rows: readonly MatrixRow[]): string =>
  rows.length ? `${table(MATRIX_COLUMNS, rows.map(matrixCells)).join('\n')}\n` : 'Nobody has access.\n';

export const renderMatrixCsv = (rows: readonly MatrixRow[]): string =>
  stringify([[...MATRIX_COLUMNS], ...rows.map(matrixCells)]);

export function renderMatrixMarkdown(rows: readonly MatrixRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return `${[
    `| ${MATRIX_COLUMNS.join(' | ')} |`,
    `|${MATRIX_COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${matrixCells(r).map(esc).join(' | ')} |`),
  ].join('\n')}\n`;
}
