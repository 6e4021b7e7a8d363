export * from './errors.js';
export type * from './directory/types.js';
export type * from './directory/events.js';
export type * from './directory/service.js';
export type * from './identity/actor.js';
export { systemActor } from './identity/actor.js';
export type * from './identity/ports.js';
export type * from './audit/types.js';
export type * from './audit/ports.js';
