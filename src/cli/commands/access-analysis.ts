/**
 * The access analysis as the `keyway access` commands run it: on the access file's planned state (grants
 * resolved against the live organisation, groups as Keyway's directory has them), with AWS-managed policy
 * documents from the shipped catalogue. See docs/access-analysis.md.
 */
import type { AccessFinding, AccessModel, AnalysisReport, Finding, LiveState, Severity } from '../../core/index.js';
import type { CliContext } from '../command.js';
import type { KeywaySide } from './access-setup.js';

export interface AccessAnalysis {
  readonly report: AnalysisReport;
  /** Problems with the file that the analysis found (unreadable policy, unknown rule acknowledged). */
  readonly fileFindings: readonly AccessFinding[];
  readonly failOn: Severity;
  /** Findings that stop an apply: at or above `failOn` and not acknowledged. */
  readonly blocking: readonly Finding[];
}

export async function analyseAccess(
  ctx: CliContext,
  model: AccessModel,
  live: Pick<LiveState, 'org'>,
  side: KeywaySide,
  failOn: Severity = model.analysis.failOn,
): Promise<AccessAnalysis> {
  const { analyse, analysisInputFromAccess, blockingFindings } = await import('../../core/index.js');
  const { loadActionCatalogue, loadAwsManagedPolicies } = await import('../../iam-policy/index.js');
  const catalogue = await loadActionCatalogue();
  const managed = loadAwsManagedPolicies();
  const { input, findings } = analysisInputFromAccess({
    model,
    org: live.org,
    directory: side.directory,
    catalogue,
    managedPolicy: (name) => {
      const p = managed.find(`arn:aws:iam::aws:policy/${name.replace(/^\//, '')}`) ?? managed.find(name);
      return p?.versions.get(p.defaultVersionId);
    },
    federation: side.federation?.config ?? null,
    now: new Date(),
  });
  ctx.err(`analysed ${input.permissions.length} permissions and ${input.grants.length} grants`);
  const report = analyse(input);
  return { report, fileFindings: findings, failOn, blocking: blockingFindings(report.findings, failOn) };
}

const where = (f: Finding): string =>
  f.location ? `${f.location.file}:${f.location.line}:${f.location.column}: ` : '';

/** Findings as text, most severe first; acknowledged ones say so and why. */
export function renderFindingsText(
  findings: readonly Finding[],
  options: { changed?: ReadonlySet<string> } = {},
): string {
  if (findings.length === 0) return 'No findings.\n';
  const lines: string[] = [];
  for (const f of findings) {
    const isNew = f.permission !== undefined && options.changed?.has(f.permission);
    lines.push(`${where(f)}${f.severity} [${f.rule}]${isNew ? ' (new in this plan)' : ''} ${f.message}`);
    if (f.people.length)
      lines.push(`    people: ${f.people.slice(0, 10).join(', ')}${f.people.length > 10 ? ', …' : ''}`);
    if (f.accounts.length)
      lines.push(`    accounts: ${f.accounts.slice(0, 10).join(', ')}${f.accounts.length > 10 ? ', …' : ''}`);
    for (const s of f.statements.slice(0, 3))
      lines.push(`    ${s.permission} / ${s.policy} statement ${s.index + 1}${s.sid ? ` (${s.sid})` : ''}`);
    lines.push(`    fix: ${f.fix}`);
    if (f.acknowledged) lines.push(`    acknowledged: ${f.acknowledged}`);
  }
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const acknowledged = findings.filter((f) => f.acknowledged).length;
  lines.push(
    `${findings.length} finding${findings.length === 1 ? '' : 's'} (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}; ${acknowledged} acknowledged).`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderFindingsMarkdown(findings: readonly Finding[]): string {
  if (findings.length === 0) return '### Access analysis\n\nNo findings.\n';
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = findings.map(
    (f) =>
      `| ${f.severity} | \`${f.rule}\` | ${esc(f.message)} | ${esc(f.fix)} | ${f.acknowledged ? esc(f.acknowledged) : ''} |`,
  );
  return `### Access analysis\n\n| severity | rule | finding | fix | acknowledged |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
}
