/**
 * The services registered besides IAM, STS and Organizations when the emulator starts with its defaults.
 * Each team adds its factory here (one line): sign-in pages, Identity Center.
 */
import type { ServiceFactory } from './http/contract.js';

export const defaultServiceFactories: readonly ServiceFactory[] = [];
