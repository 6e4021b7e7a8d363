export * from './document.js';
export * from './wildcards.js';
export * from './conditions.js';
export * from './evaluate.js';
export * from './catalogue.js';
export * from './managed-policies.js';
