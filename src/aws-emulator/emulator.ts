/**
 * Composition of the emulator: world, state, credentials, IAM, and every service's registrations behind one
 * request handler. Nothing here touches the network; start.ts puts it behind an HTTP server.
 */
import type { EmulatorRequest, EmulatorResponse, ServiceFactory, ServiceRegistration } from './http/contract.js';
import { createRouter } from './http/router.js';
import { createCredentialStore } from './credentials/credential-store.js';
import type { CredentialStore } from './credentials/credential-store.js';
import { IamStore } from './iam/iam-store.js';
import { createIamRegistration } from './iam/iam-service.js';
import { createOrganizationsRegistration } from './organizations/organizations-service.js';
import { OrganizationStore } from './organizations/org-store.js';
import { accessRoleSpec } from './organizations/access-role.js';
import { createStsRegistration } from './sts/sts-service.js';
import { createAssumeRoleWithSaml } from './sts/assume-role-with-saml.js';
import { createAssumeRole, createGetSessionToken } from './sts/assume-role.js';
import { rolePoliciesAllow } from './iam/policy-simulation.js';
import { createJsonLineLogger } from './log.js';
import { createMemoryStateStore, openSqliteStateStore } from './state/state-store.js';
import type { EmulatorLogger, EmulatorServices, StateStore } from './world-contract.js';
import type { World } from './world/world.js';

export interface EmulatorOptions {
  readonly world: World;
  /** SQLite file that keeps IAM, STS and service state across restarts; in memory when absent. */
  readonly statePath?: string;
  /** Extra services (sign-in pages, Identity Center, …), registered after IAM, STS and Organizations. */
  readonly registrations?: readonly ServiceFactory[];
  /** Epoch-ms clock; tests inject one to expire credentials. */
  readonly now?: () => number;
  readonly logger?: EmulatorLogger;
  /** Accept RSA-SHA1 SAML signatures (refused by default: docs/aws-facts.md; docs/security.md, SAML rule 3). */
  readonly allowSha1?: boolean;
  /** How long an Organizations CreateAccount request stays IN_PROGRESS (default 200 ms). */
  readonly createAccountDelayMs?: number;
}

export interface Emulator {
  readonly world: World;
  /** The organisation as it is now (the world plus Organizations writes). */
  readonly organization: OrganizationStore;
  readonly services: EmulatorServices;
  readonly iamStore: IamStore;
  readonly credentialStore: CredentialStore;
  handle(req: EmulatorRequest): Promise<EmulatorResponse>;
  close(): void;
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const now = options.now ?? Date.now;
  const log = options.logger ?? createJsonLineLogger();
  const sqlite = options.statePath !== undefined ? openSqliteStateStore(options.statePath) : undefined;
  const state: StateStore = sqlite ?? createMemoryStateStore();
  let organization: OrganizationStore | undefined;
  const iamStore = new IamStore(state, now, { accountExists: (id) => organization?.accountExists(id) ?? false });
  const mgmt = options.world.managementAccountId;
  organization = new OrganizationStore(options.world, state, now, options.createAccountDelayMs ?? 200, (id, roleName) =>
    iamStore.seedRole(id, accessRoleSpec(mgmt, roleName)),
  );
  // Every account created through Organizations has the access role (invited accounts do not).
  state.transaction(() => {
    for (const a of organization?.listAccounts() ?? []) {
      if (a.id !== mgmt && a.joinedMethod === 'CREATED') iamStore.seedRole(a.id, accessRoleSpec(mgmt));
    }
  });
  const org = organization;
  const credentialStore = createCredentialStore((keyId) => org.rootKey(keyId), state, now);
  const services: EmulatorServices = {
    accounts: org,
    iam: iamStore,
    iamReader: iamStore,
    credentials: credentialStore,
    state,
    log,
    now,
    allowSha1: options.allowSha1 ?? false,
  };
  const registrations: ServiceRegistration[] = [
    createIamRegistration(iamStore),
    createStsRegistration({
      assumeRoleWithSaml: createAssumeRoleWithSaml(services),
      assumeRole: createAssumeRole({
        ...services,
        rolePoliciesAllow: (roleArn, action, resource) => rolePoliciesAllow(iamStore, roleArn, action, resource),
      }),
      getSessionToken: createGetSessionToken(services),
    }),
    createOrganizationsRegistration(org),
  ];
  for (const factory of options.registrations ?? []) registrations.push(...factory(services));
  const handle = createRouter({ registrations, lookupCredential: credentialStore.lookup, now, log });
  return {
    world: options.world,
    organization: org,
    services,
    iamStore,
    credentialStore,
    handle,
    close: () => sqlite?.close(),
  };
}
