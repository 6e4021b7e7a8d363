export type * from './types.js';
export { createApplicationService, auditView } from './service.js';
export type { ApplicationService, ApplicationServiceDeps } from './service.js';
export { createApplicationTypeRegistry, genericSamlType } from './app-types.js';
export type { ApplicationTypeRegistry } from './app-types.js';
export { mayUse, resolveAssertionContent } from './assertion-content.js';
export { checkSource, evaluateSource, persistentId, isXmlSafe } from './sources.js';
export {
  validateFields,
  normaliseCertificate,
  NAME_ID_FORMATS,
  MAX_RELAY_STATE_BYTES,
  DEFAULT_SESSION_SECONDS,
} from './validate.js';
export { explainSignIn } from './explain.js';
export type { SignInExplanation } from './explain.js';
export {
  DEFAULT_OIDC_CLAIMS,
  OIDC_GRANT_TYPES,
  OIDC_SCOPE_CLAIMS,
  createOidcApplicationService,
  oidcClaimsFor,
  oidcMayUse,
  validateOidcFields,
} from './oidc-clients.js';
export type {
  ClientSecretSealer,
  OidcApplication,
  OidcApplicationInput,
  OidcApplicationService,
  OidcApplicationStore,
  OidcClaimMapping,
  OidcGrantType,
} from './oidc-clients.js';
export type { SourceContext } from './sources.js';
