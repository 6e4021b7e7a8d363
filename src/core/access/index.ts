export * from './aws-names.js';
export * from './aws-iam-app.js';
export * from './bindings.js';
export * from './aws-attributes.js';
export * from './explain.js';
export * from './trust-policy.js';
export * from './iam-plan.js';
export type * from './ports.js';
export * from './aws-iam-app-type.js';
