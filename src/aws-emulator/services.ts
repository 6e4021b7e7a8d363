/**
 * The services registered besides IAM, STS and Organizations when the emulator starts with its defaults.
 * Each team adds its factory here (one line): sign-in pages, Identity Center.
 */
import type { ServiceFactory } from './http/contract.js';
import { signInServiceFactory } from './signin/index.js';
import { identityCenterFactory } from './identity-center/index.js';

export const defaultServiceFactories: readonly ServiceFactory[] = [signInServiceFactory, identityCenterFactory()];
