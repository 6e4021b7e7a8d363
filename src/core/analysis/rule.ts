import type { AnalysisContext } from './context.js';
import type { FindingDraft, Severity } from './model.js';

/** One check of the analysis: its own module under `rules/`, an id that never changes, and a default severity. */
export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** What the rule looks for and why it matters; shown in SARIF rule help and the generated docs. */
  readonly description: string;
  check(context: AnalysisContext): FindingDraft[];
}

export const quote = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');
