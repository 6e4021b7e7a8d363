export * from './http/contract.js';
export type * from './world-contract.js';
