// Why: the one ordered registry of migrations for both engines; append new entries at the end, never reorder.
import { directory } from './0001-directory.js';
import { outboxAudit } from './0002-outbox-audit.js';
import { signInState } from './0003-sign-in-state.js';
import { samlSigningKeys } from './0010-saml-signing-keys.js';
import { samlApplications } from './0011-saml-applications.js';
import { samlReplayCache } from './0012-saml-replay-cache.js';
import { awsAccess } from './0030-aws-access.js';
import { awsCliSignIn } from './0031-aws-cli-sign-in.js';
import { totpFactors } from './0040-totp.js';
import { accessEpoch } from './0050-access-epoch.js';
import { prefixSearch } from './0090-prefix-search.js';
import { oidcProvider } from './0100-oidc.js';
import { passkeys } from './0101-passkeys.js';
import type { Migration } from './types.js';

export type { Engine, Migration, MigrationContext } from './types.js';
export { sequenceColumn } from './types.js';

export const migrations: readonly Migration[] = [
  directory,
  outboxAudit,
  signInState,
  samlSigningKeys,
  samlApplications,
  samlReplayCache,
  awsAccess,
  awsCliSignIn,
  totpFactors,
  accessEpoch,
  prefixSearch,
  oidcProvider,
  passkeys,
];
