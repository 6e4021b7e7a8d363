export type * from './model.js';
export { atLeast, SEVERITIES } from './model.js';
export type { Rule } from './rule.js';
export type { AnalysisContext, Reach } from './context.js';
export { isExpired } from './context.js';
export { analyse, blockingFindings } from './engine.js';
export type { AnalysisReport, PermissionClass } from './engine.js';
export { RULES, ESCALATION_METHODS } from './rules/index.js';
export { toSarif } from './sarif.js';
