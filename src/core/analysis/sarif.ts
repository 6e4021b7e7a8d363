import type { Finding, Severity } from './model.js';
import type { Rule } from './rule.js';
import { RULES } from './rules/index.js';

/**
 * Findings as a SARIF 2.1.0 log (OASIS "Static Analysis Results Interchange Format Version 2.1.0"), the format
 * code hosts read to show findings on pull requests. Acknowledged findings are kept, as suppressed results
 * with the access file's reason (§3.35 suppressions).
 */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub orders SARIF results by this property; the scale is its documented 0.0–10.0. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.0', low: '2.0' };

export function toSarif(findings: readonly Finding[], options: { accessFile?: string; rules?: readonly Rule[] } = {}) {
  const rules = options.rules ?? RULES;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'keyway-access-lint',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security', 'aws-iam'] },
            })),
          },
        },
        results: findings.map((f) => {
          const file = f.location?.file ?? options.accessFile;
          return {
            ruleId: f.rule,
            ruleIndex: Math.max(
              0,
              rules.findIndex((r) => r.id === f.rule),
            ),
            level: LEVEL[f.severity],
            message: { text: `${f.message} Fix: ${f.fix}` },
            ...(file === undefined
              ? {}
              : {
                  locations: [
                    {
                      physicalLocation: {
                        artifactLocation: { uri: file },
                        ...(f.location
                          ? { region: { startLine: f.location.line, startColumn: f.location.column } }
                          : {}),
                      },
                    },
                  ],
                }),
            ...(f.acknowledged === undefined
              ? {}
              : { suppressions: [{ kind: 'inSource', justification: f.acknowledged }] }),
            properties: {
              severity: f.severity,
              permission: f.permission,
              grants: f.grants,
              accounts: f.accounts,
              people: f.people,
              statements: f.statements,
            },
          };
        }),
      },
    ],
  };
}
