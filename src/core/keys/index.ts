export type * from './types.js';
export { publishedKeys, currentKey } from './rules.js';
export { createSigningKeyService } from './service.js';
export type { SigningKeyServiceDeps } from './service.js';
