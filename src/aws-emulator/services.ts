/**
 * The services registered besides IAM, STS and Organizations when the emulator starts with its defaults.
 * Each team adds its factory here (one line): sign-in pages, Identity Center.
 */
import type { ServiceFactory } from './http/contract.js';
import { signInServiceFactory } from './signin/index.js';
import { identityCenterFactory } from './identity-center/index.js';
import type { IdentityCenterOptions } from './identity-center/index.js';

/** The default services, with Identity Center's settings (rate limits) as given. */
export function serviceFactories(identityCenter: IdentityCenterOptions = {}): readonly ServiceFactory[] {
  return [signInServiceFactory, identityCenterFactory(identityCenter)];
}

export const defaultServiceFactories: readonly ServiceFactory[] = serviceFactories();
