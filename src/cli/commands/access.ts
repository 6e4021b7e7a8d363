/**
 * keyway access plan|apply|drift|expire|matrix|explain|docs|validate|schema — access as code (see
 * docs/access-as-code.md). One plan/apply engine: plan reads live state and diffs it with the file; apply
 * performs exactly a plan's changes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AccessPlan, AccessModel, MatrixRow } from '../../core/index.js';
import { CliUsageError, type CliCommand, type CliContext } from '../command.js';
import { json } from '../render.js';
import {
  connectAws,
  formatFinding,
  loadAccessModel,
  readKeywaySide,
  readLive,
  type AwsFlags,
  type KeywaySide,
} from './access-setup.js';
import { analyseAccess, renderFindingsMarkdown, renderFindingsText, type AccessAnalysis } from './access-analysis.js';

type Format = 'text' | 'json' | 'csv' | 'html' | 'markdown' | 'sarif';

interface CommonFlags extends AwsFlags {
  readonly app?: string;
  readonly format?: Format;
}

const positiveNumber = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

function common(cmd: Command, formats: readonly Format[] | null): Command {
  cmd
    .option('--file <path>', 'access file or folder of *.yaml (default: ./access.yaml, else ./access/)')
    .option('--profile <name>', 'AWS profile (management account), as the AWS CLI takes it')
    .option('--region <region>', 'AWS region, as the AWS CLI takes it')
    .option('--endpoint-url <url>', 'one endpoint for every AWS service (e.g. the emulator)')
    .option(
      '--member-role <name>',
      'role assumed in member accounts (default: settings.memberRole, else OrganizationAccountAccessRole)',
    )
    .option('--max-rate <n>', 'IAM Identity Center calls per second (default 20, its documented limit)', positiveNumber)
    .option('--app <app>', 'the AWS IAM application (id or name) for iam-federation, when there are several');
  if (formats) cmd.addOption(new Option('--format <format>', 'output format').choices([...formats]).default('text'));
  return cmd;
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

interface Planned {
  readonly plan: AccessPlan;
  readonly model: AccessModel;
  readonly side: KeywaySide;
  readonly aws: Awaited<ReturnType<typeof connectAws>>;
}

async function makePlan(ctx: CliContext, o: CommonFlags, options: { quiet?: boolean } = {}): Promise<Planned> {
  const { makeAccessPlan } = await import('../../core/index.js');
  const { checkManagedPolicies } = await import('../../aws/index.js');
  const { model, findings } = await loadAccessModel(ctx, o.file);
  const side = await readKeywaySide(ctx, model, o.app);
  const aws = await connectAws(ctx, o, model);
  const live = await readLive(ctx, aws, model, side, o, options);
  const policyFindings = await checkManagedPolicies(aws, model);
  const plan = makeAccessPlan({
    model,
    live,
    directory: side.directory,
    federation: side.federation,
    now: new Date(),
    findings: [...findings, ...policyFindings],
  });
  if (!options.quiet) ctx.err(`AWS calls while planning: ${aws.log.reads} reads, ${aws.log.writes} writes`);
  return { plan, model, side, aws };
}

async function printPlan(ctx: CliContext, plan: AccessPlan, format: Format | undefined): Promise<void> {
  const { renderPlanMarkdown, renderPlanText } = await import('../access-render.js');
  if (format === 'json') ctx.out(json(plan));
  else if (format === 'markdown') ctx.io.stdout.write(renderPlanMarkdown(plan));
  else ctx.io.stdout.write(renderPlanText(plan));
}

const hasErrors = (p: AccessPlan) => p.findings.some((f) => f.severity === 'error');

async function refuseErrors(plan: AccessPlan): Promise<void> {
  if (!hasErrors(plan)) return;
  const { DomainError } = await import('../../core/index.js');
  const errors = plan.findings.filter((f) => f.severity === 'error');
  throw new DomainError(
    'precondition_failed',
    `the plan has ${errors.length} error(s); nothing was changed`,
    errors.map(formatFinding),
  );
}

function analysisOf(ctx: CliContext, planned: Pick<Planned, 'model' | 'side'>, live?: AccessPlan['live']) {
  return analyseAccess(ctx, planned.model, live ?? (planned as Planned).plan.live, planned.side);
}

/** Permissions the plan creates, changes or assigns anew: their findings are the ones this plan brings in. */
const changedPermissions = (plan: AccessPlan): Set<string> =>
  new Set(
    plan.changes.flatMap((c): string[] => {
      if (c.kind === 'iam' || c.action === 'delete') return [];
      if (c.kind === 'permission-set' || c.kind === 'role') return [c.name];
      if (c.kind === 'assignment') return [c.permissionSet];
      return c.kind === 'binding' ? [c.roleName] : [];
    }),
  );

async function printAnalysis(ctx: CliContext, analysis: AccessAnalysis, plan: AccessPlan, format: Format | undefined) {
  for (const f of analysis.fileFindings) {
    const line = formatFinding(f);
    ctx.err(`${line.at}: ${line.message}`);
  }
  if (format === 'markdown') ctx.io.stdout.write(`\n${renderFindingsMarkdown(analysis.report.findings)}`);
  else {
    ctx.io.stdout.write('\nAccess analysis of the planned state:\n');
    ctx.io.stdout.write(renderFindingsText(analysis.report.findings, { changed: changedPermissions(plan) }));
  }
  if (analysis.blocking.length > 0)
    ctx.err(
      `apply will refuse: ${analysis.blocking.length} finding(s) at or above ${analysis.failOn} are not acknowledged (analysis.acknowledge in the access file).`,
    );
}

/** Apply stops before any change when the planned state has findings at or above analysis.failOn not acknowledged. */
async function refuseFindings(
  ctx: CliContext,
  planned: Pick<Planned, 'model' | 'side'>,
  plan: AccessPlan,
): Promise<void> {
  const analysis = await analysisOf(ctx, planned, plan.live);
  if (analysis.fileFindings.some((f) => f.severity === 'error') || analysis.blocking.length > 0) {
    const { DomainError } = await import('../../core/index.js');
    throw new DomainError(
      'precondition_failed',
      `the access analysis found ${analysis.blocking.length} finding(s) at or above ${analysis.failOn} that are not acknowledged; nothing was changed`,
      [
        ...analysis.fileFindings.filter((f) => f.severity === 'error').map(formatFinding),
        ...analysis.blocking.map((f) => ({
          at: f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '(access)',
          message: `${f.severity} [${f.rule}] ${f.message} Fix: ${f.fix} Or acknowledge it in analysis.acknowledge with a reason.`,
        })),
      ],
    );
  }
}

async function execute(
  ctx: CliContext,
  planned: Pick<Planned, 'aws' | 'model' | 'side'>,
  plan: AccessPlan,
  yes: boolean | undefined,
  what: string,
): Promise<void> {
  await refuseErrors(plan);
  if (plan.changes.length === 0) return;
  // Removing access never makes the model more dangerous: expiry and pure removals are not held up by findings.
  if (plan.changes.some((c) => c.kind === 'iam' || c.action !== 'delete')) await refuseFindings(ctx, planned, plan);
  const deletions = plan.changes.filter((c) => (c.kind === 'iam' ? false : c.action === 'delete'));
  if (!yes) {
    if (!ctx.io.stdin.isTTY) throw new CliUsageError(`nothing was changed: re-run with --yes to ${what}`);
    if (deletions.length) ctx.err(`${deletions.length} of these changes delete or remove access.`);
    if (!(await confirm(ctx, `${what[0]?.toUpperCase()}${what.slice(1)}? Only "yes" is accepted: `)))
      throw new CliUsageError('nothing was changed');
  }
  const { applyAccessPlan, ApplyFailure, describeChange } = await import('../../aws/index.js');
  const { createAwsAccessService } = await import('../../store/index.js');
  const { ACCESS_ENGINE_ACTOR_ID } = await import('../../core/index.js');
  const store = await ctx.store();
  const svc = createAwsAccessService(store.db);
  const actor = {
    kind: 'system' as const,
    id: ACCESS_ENGINE_ACTOR_ID,
    label: `keyway access (${ctx.actor.label ?? ctx.actor.id})`,
  };
  const started = Date.now();
  const audit = (outcome: 'success' | 'failure', details: Record<string, unknown>) =>
    store.audit.record({
      action: 'aws.access.apply',
      actor: ctx.actor,
      outcome,
      target: { type: 'access-file', id: plan.files.join(','), label: plan.installation },
      details,
    });
  try {
    const done = await applyAccessPlan(plan, {
      aws: planned.aws,
      installation: planned.model.settings.installation,
      ...(ctx.io.env.KEYWAY_ACCESS_MAX_RATE ? { idcCallsPerSecond: Number(ctx.io.env.KEYWAY_ACCESS_MAX_RATE) } : {}),
      keyway: {
        addAccount: async (id, name) => {
          await svc.addAccount(actor, { id, name });
        },
        addBinding: async (groupId, accountId, roleName, rolePath) => {
          await svc.addBinding(actor, { groupId, accountId, roleName, rolePath });
        },
        removeBinding: async (id) => {
          await svc.removeBinding(actor, id);
        },
      },
      onEvent: (e) => {
        if (e.type === 'done') ctx.err(`${describeChange(e.change)}: done (${e.seconds.toFixed(1)}s)`);
        if (e.type === 'waiting') ctx.err(`still waiting for ${e.what}… ${e.seconds}s`);
      },
    });
    await audit('success', { changes: done.map(describeChange) });
    const { countLine } = await import('../access-render.js');
    ctx.out(
      `Apply complete! ${countLine(done).replace(/^Plan: /, '')} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
    );
  } catch (e) {
    if (e instanceof ApplyFailure) {
      await audit('failure', {
        failed: describeChange(e.failed),
        done: e.done.map(describeChange),
        message: String(e.cause),
      });
      ctx.err(`Done before the failure (${e.done.length}):`);
      for (const c of e.done) ctx.err(`  ✓ ${describeChange(c)}`);
      ctx.err(`Not done (${e.notDone.length}):`);
      for (const c of e.notDone) ctx.err(`  ✗ ${describeChange(c)}`);
      ctx.err('Run keyway access plan to see what remains; apply again once the cause is fixed.');
    }
    throw e;
  }
}

async function matrixRows(
  ctx: CliContext,
  o: CommonFlags,
): Promise<{ rows: MatrixRow[]; model: AccessModel; side: KeywaySide; live: AccessPlan['live'] }> {
  const { effectiveAccess } = await import('../../core/index.js');
  const { model } = await loadAccessModel(ctx, o.file);
  const side = await readKeywaySide(ctx, model, o.app);
  const aws = await connectAws(ctx, o, model);
  const live = await readLive(ctx, aws, model, side, o, { allAssignments: true });
  return { rows: effectiveAccess({ model, live, directory: side.directory, now: new Date() }), model, side, live };
}

export const accessCommand: CliCommand = {
  name: 'access',
  register(program, ctx) {
    const access = program
      .command('access')
      .description('access as code: plan and apply who may reach which AWS accounts, drift, expiry, matrix, docs');

    access
      .command('schema')
      .description('print the JSON Schema of the access file (save it and point $schema at it)')
      .action(async () => {
        const { accessFileSchema } = await import('../../core/index.js');
        ctx.out(json(accessFileSchema));
      });

    access
      .command('validate')
      .description('check the access file without reading AWS')
      .option('--file <path>', 'access file or folder (default: ./access.yaml, else ./access/)')
      .action(async (o: { file?: string }) => {
        const { model, findings } = await loadAccessModel(ctx, o.file);
        for (const f of findings) {
          const { at, message } = formatFinding(f);
          ctx.err(`${at}: ${message}`);
        }
        ctx.out(
          `${model.files.join(', ')}: ${model.permissions.size} permissions, ${model.grants.length} grants, ${model.accounts.size} account selectors; valid.`,
        );
      });

    common(access.command('lint'), ['text', 'json', 'sarif', 'markdown'])
      .description('find escalation paths, conflicts and loopholes in the access model (docs/access-analysis.md)')
      .addOption(
        new Option(
          '--fail-on <severity>',
          'exit 1 on findings at or above this severity that are not acknowledged',
        ).choices(['critical', 'high', 'medium', 'low']),
      )
      .option('--out <file>', 'write to a file instead of standard output')
      .action(async (o: CommonFlags & { failOn?: 'critical' | 'high' | 'medium' | 'low'; out?: string }) => {
        const { toSarif } = await import('../../core/index.js');
        const { model } = await loadAccessModel(ctx, o.file);
        const side = await readKeywaySide(ctx, model, o.app);
        const aws = await connectAws(ctx, o, model);
        const { readOrganization } = await import('../../aws/index.js');
        const org = await readOrganization(aws.organizations, { tags: true, progress: (line) => ctx.err(line) });
        const analysis = await analyseAccess(ctx, model, { org }, side, o.failOn);
        for (const f of analysis.fileFindings) {
          const line = formatFinding(f);
          ctx.err(`${line.at}: ${line.message}`);
        }
        const findings = analysis.report.findings;
        const text =
          o.format === 'json'
            ? json({ findings, classification: Object.fromEntries(analysis.report.classification) })
            : o.format === 'sarif'
              ? json(toSarif(findings, { accessFile: model.files[0] }))
              : o.format === 'markdown'
                ? renderFindingsMarkdown(findings)
                : renderFindingsText(findings);
        if (o.out) {
          writeFileSync(resolve(ctx.io.cwd, o.out), text.endsWith('\n') ? text : `${text}\n`);
          ctx.err(`wrote ${findings.length} findings to ${o.out}`);
        } else ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        if (analysis.fileFindings.some((f) => f.severity === 'error')) ctx.setExitCode(1);
        else if (analysis.blocking.length > 0) {
          ctx.err(`${analysis.blocking.length} finding(s) at or above ${analysis.failOn} are not acknowledged`);
          ctx.setExitCode(1);
        }
      });

    common(access.command('plan'), ['text', 'json', 'markdown'])
      .description('show what apply would change, in Terraform grammar (+ add, ~ change, - destroy)')
      .option('--out <file>', 'save the plan (versioned JSON) for keyway access apply <file>')
      .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes, 1 on error')
      .action(async (o: CommonFlags & { out?: string; detailedExitcode?: boolean }) => {
        const planned = await makePlan(ctx, o);
        const { plan } = planned;
        if (o.out) {
          writeFileSync(resolve(ctx.io.cwd, o.out), `${JSON.stringify(plan, null, 2)}\n`);
          ctx.err(`saved the plan to ${o.out}; apply it with: keyway access apply ${o.out}`);
        }
        await printPlan(ctx, plan, o.format);
        if (o.format !== 'json') await printAnalysis(ctx, await analysisOf(ctx, planned), plan, o.format);
        if (hasErrors(plan)) ctx.setExitCode(1);
        else if (o.detailedExitcode && plan.changes.length > 0) ctx.setExitCode(2);
      });

    common(access.command('apply'), null)
      .description('make exactly the planned changes (a saved plan, or a fresh plan shown first)')
      .argument('[plan]', 'a plan saved with keyway access plan --out; refused when AWS changed since')
      .option('--yes', 'apply without asking (required without a terminal)')
      .action(async (planFile: string | undefined, o: CommonFlags & { yes?: boolean }) => {
        if (!planFile) {
          const planned = await makePlan(ctx, o);
          await printPlan(ctx, planned.plan, 'text');
          await execute(ctx, planned, planned.plan, o.yes, 'apply these changes');
          return;
        }
        const { checkPlanFormat, liveDigest } = await import('../../core/index.js');
        let saved: AccessPlan;
        try {
          saved = checkPlanFormat(JSON.parse(readFileSync(resolve(ctx.io.cwd, planFile), 'utf8')));
        } catch (e) {
          throw new CliUsageError(`${planFile}: ${(e as Error).message}`);
        }
        const planned = await makePlan(ctx, o, { quiet: true });
        if (liveDigest(planned.plan.live) !== saved.liveDigest)
          throw new CliUsageError(
            `${planFile} is stale: AWS or Keyway changed since it was made (${saved.createdAt}); nothing was changed. Run keyway access plan again.`,
          );
        await printPlan(ctx, saved, 'text');
        await execute(ctx, planned, saved, o.yes, 'apply this saved plan');
      });

    common(access.command('drift'), ['text', 'json', 'markdown'])
      .description('report what was changed outside the file (and how apply would revert it)')
      .option('--detailed-exitcode', 'exit 0 without drift, 2 with drift, 1 on error')
      .action(async (o: CommonFlags & { detailedExitcode?: boolean }) => {
        const { driftOnly } = await import('../../core/index.js');
        const { plan } = await makePlan(ctx, o);
        const drift = { ...plan, changes: driftOnly(plan.changes), effects: [] };
        if (o.format === 'json') ctx.out(json(drift.changes));
        else if (drift.changes.length === 0) ctx.out('No drift. AWS and Keyway match the access file.');
        else await printPlan(ctx, drift, o.format);
        if (o.detailedExitcode && drift.changes.length > 0) ctx.setExitCode(2);
      });

    common(access.command('expire'), ['text', 'json'])
      .description('remove the access of grants whose `until` has passed, and nothing else (safe on a schedule)')
      .option('--yes', 'apply without asking (required without a terminal)')
      .action(async (o: CommonFlags & { yes?: boolean }) => {
        const { expiryOnly } = await import('../../core/index.js');
        const planned = await makePlan(ctx, o);
        const plan = expiryOnly(planned.plan);
        const soon = planned.plan.expiring.filter((e) => !e.expired);
        for (const e of soon)
          ctx.err(`warning: grant #${e.grant + 1} (${e.group} → ${e.permission}) expires at ${e.until}`);
        if (o.format === 'json') ctx.out(json(plan.changes));
        else if (plan.changes.length === 0) ctx.out('No expired access to remove.');
        else
          await printPlan(
            ctx,
            { ...plan, effects: planned.plan.effects.filter((e) => e.effect === 'loses'), findings: [] },
            'text',
          );
        await execute(ctx, planned, plan, o.yes, 'remove expired access');
      });

    common(access.command('matrix'), ['text', 'json', 'csv', 'html', 'markdown'])
      .description('who can reach which account with which permission, and why (including access outside the file)')
      .option('--out <file>', 'write to a file instead of standard output')
      .action(async (o: CommonFlags & { out?: string }) => {
        const r = await import('../access-render.js');
        const { rows, model, side, live } = await matrixRows(ctx, o);
        const findings =
          o.format === 'html' ? (await analyseAccess(ctx, model, live, side)).report.findings : undefined;
        const text =
          o.format === 'json'
            ? `${json(rows)}\n`
            : o.format === 'csv'
              ? r.renderMatrixCsv(rows)
              : o.format === 'markdown'
                ? r.renderMatrixMarkdown(rows)
                : o.format === 'html'
                  ? (await import('../access-html.js')).renderMatrixHtml(rows, {
                      title: 'Keyway effective access',
                      generatedAt: new Date().toISOString(),
                      ...(findings ? { findings } : {}),
                    })
                  : r.renderMatrixText(rows);
        if (o.out) {
          writeFileSync(resolve(ctx.io.cwd, o.out), text);
          ctx.err(`wrote ${rows.length} rows to ${o.out}`);
        } else ctx.io.stdout.write(text);
      });

    common(access.command('explain'), ['text', 'json'])
      .description("one person's paths to AWS: user → groups → grant → permission → account")
      .requiredOption('--user <user>', 'userName')
      .option('--account <account>', 'account name or id')
      .action(async (o: CommonFlags & { user: string; account?: string }) => {
        const { rows } = await matrixRows(ctx, o);
        const acct = o.account?.toLowerCase();
        const mine = rows.filter(
          (r) =>
            r.user.toLowerCase() === o.user.toLowerCase() &&
            (!acct || r.accountId === acct || r.accountName.toLowerCase() === acct),
        );
        if (o.format === 'json') return ctx.out(json(mine));
        if (mine.length === 0) {
          ctx.out(`${o.user} has no AWS access${o.account ? ` in ${o.account}` : ''}.`);
          return;
        }
        for (const r of mine)
          ctx.out(
            `${r.user} → ${r.path.length ? r.path.join(' → ') : '(assigned directly)'} → ${r.grant}${r.reason ? ` (${r.reason})` : ''} → ${r.permission} → ${r.accountName} (${r.accountId}) via ${r.delivery}${r.until ? `, until ${r.until}` : ''}`,
          );
      });

    common(access.command('docs'), null)
      .description('write a Markdown page per permission (its policies in plain words, who has it) and an index')
      .option('--out <dir>', 'folder to write to', 'access-docs')
      .action(async (o: CommonFlags & { out: string }) => {
        const { accessDocs } = await import('../../core/index.js');
        const { readOrganization, managedPolicyInfo } = await import('../../aws/index.js');
        const { model } = await loadAccessModel(ctx, o.file);
        const aws = await connectAws(ctx, o, model);
        const org = await readOrganization(aws.organizations, { tags: true });
        const names = [...new Set([...model.permissions.values()].flatMap((p) => p.managed))];
        const info = await managedPolicyInfo(aws, names);
        const dir = resolve(ctx.io.cwd, o.out);
        mkdirSync(dir, { recursive: true });
        const pages = accessDocs(model, org, new Date(), info);
        for (const p of pages) writeFileSync(join(dir, p.file), p.markdown);
        ctx.out(`wrote ${pages.length} pages to ${o.out} (index: ${join(o.out, 'README.md')})`);
      });
  },
};
