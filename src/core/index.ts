export * from './errors.js';
export type * from './directory/types.js';
export type * from './directory/events.js';
export type * from './directory/service.js';
export type * from './directory/ports.js';
export { createDirectoryService } from './directory/directory-service.js';
export type { DirectoryServiceDeps } from './directory/directory-service.js';
export { countPage, foldCase, pageLimit, DEFAULT_PAGE, MAX_PAGE } from './directory/validation.js';
export { importDirectory, exportDirectory, MAX_IMPORT_ROWS } from './directory/import-export.js';
export type {
  ImportFormat,
  ExportFormat,
  ImportOptions,
  ImportReport,
  ImportCounts,
} from './directory/import-export.js';
export { MAX_IMPORT_BYTES } from './directory/import-decode.js';
export type * from './identity/actor.js';
export { systemActor } from './identity/actor.js';
export type * from './identity/ports.js';
export type * from './audit/types.js';
export type * from './audit/ports.js';
export * from './keys/index.js';
export * from './applications/index.js';
export * from './access/index.js';
export * from './analysis/index.js';
export * from './auth-strength/index.js';
