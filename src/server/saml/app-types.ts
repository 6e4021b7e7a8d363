/**
 * Application types this deployment offers besides the generic `saml` type. To add one (e.g. AWS IAM), add one
 * line: a factory receiving the store and config, so the type can read what it needs (bindings, accounts) from the
 * store. Its `attributeProviders` run at every sign-in to the app; see docs/saml-apps.md "Application types".
 */
import type { ApplicationType } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { awsIamAppTypeFactory } from '../aws/app-type.js';

/** Receives what the server and the CLI both have, so `keyway apps create --type …` validates like the API. */
export type ApplicationTypeFactory = (deps: {
  readonly store: Store;
  readonly config: ServerConfig;
}) => ApplicationType;

export const applicationTypeFactories: readonly ApplicationTypeFactory[] = [awsIamAppTypeFactory];
