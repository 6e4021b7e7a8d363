import type { JsonServiceRegistration } from '../../http/contract.js';
import { assignmentOperations } from './assignment-operations.js';
import { permissionSetOperations } from './permission-set-operations.js';
import { createContext, type SsoAdminDeps } from './shared.js';

/**
 * sso-admin (awsJson1_1, `SWBExternalService.*`, SigV4 signing name `sso`; [model] botocore sso-admin).
 */
export function createSsoAdminRegistration(deps: SsoAdminDeps): JsonServiceRegistration {
  const ctx = createContext(deps);
  return {
    kind: 'json',
    targetPrefix: 'SWBExternalService',
    signingName: 'sso',
    operations: { ...permissionSetOperations(deps, ctx), ...assignmentOperations(deps, ctx) },
  };
}

export { DEFAULT_SSO_ADMIN_LIMITS, sessionSeconds, type SsoAdminDeps, type SsoAdminLimits } from './shared.js';
