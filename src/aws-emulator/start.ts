/**
 * Starts the emulator on a loopback HTTP port in this process (tests, the demo) — `main.ts` wraps it for the
 * command line.
 */
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { ServiceFactory } from './http/contract.js';
import { createHttpServer, LOOPBACK_HOSTS } from './http/server.js';
import { createEmulator } from './emulator.js';
import type { EmulatorOptions } from './emulator.js';
import type { CredentialStore } from './credentials/credential-store.js';
import type { IamStore } from './iam/iam-store.js';
import type { OrganizationStore } from './organizations/org-store.js';
import { defaultServiceFactories } from './services.js';
import type { AccountDirectory, CredentialIssuer, EmulatorServices, IamReader, IamWriter } from './world-contract.js';
import { buildWorld, loadWorldFile } from './world/world.js';
import type { World, WorldAccessKey } from './world/world.js';

export const DEMO_WORLD_FILE = fileURLToPath(new URL('./worlds/demo.yaml', import.meta.url));

/** The composition options of `createEmulator` (state file, clock, logger, allowSha1), plus where to listen. */
export interface StartEmulatorOptions extends Omit<EmulatorOptions, 'world' | 'registrations'> {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  readonly host?: string;
  /** A world file (YAML or JSON); the demo world when neither this nor `world` is given. */
  readonly worldFile?: string;
  /** A world document (the parsed form of a world file). */
  readonly world?: unknown;
  /** Services besides IAM, STS and Organizations; defaults to the sign-in pages and Identity Center. */
  readonly registrations?: readonly ServiceFactory[];
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` — the endpoint for every service. */
  readonly url: string;
  readonly port: number;
  readonly world: World;
  /** The organisation as it is now (the world plus Organizations writes). */
  readonly organization: OrganizationStore;
  readonly accounts: AccountDirectory;
  readonly iam: IamWriter;
  readonly iamReader: IamReader;
  readonly iamStore: IamStore;
  readonly credentials: CredentialIssuer;
  readonly credentialStore: CredentialStore;
  readonly services: EmulatorServices;
  /** The long-term (root) key of an account, to sign requests as that account. */
  rootCredentials(accountId: string): WorldAccessKey;
  close(): Promise<void>;
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const {
    port: wantedPort = 0,
    host = '127.0.0.1',
    worldFile,
    world: worldDocument,
    registrations,
    ...composition
  } = options;
  if (!LOOPBACK_HOSTS.has(host))
    throw new Error(`the emulator listens on loopback only (127.0.0.1, ::1, localhost), not ${host}`);
  const world =
    worldDocument !== undefined ? buildWorld(worldDocument, 'world') : loadWorldFile(worldFile ?? DEMO_WORLD_FILE);
  const emulator = createEmulator({ ...composition, world, registrations: registrations ?? defaultServiceFactories });
  const server = createHttpServer(emulator.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wantedPort, host, () => resolve());
    });
  } catch (e) {
    emulator.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    world,
    organization: emulator.organization,
    accounts: emulator.organization,
    iam: emulator.iamStore,
    iamReader: emulator.iamStore,
    iamStore: emulator.iamStore,
    credentials: emulator.credentialStore,
    credentialStore: emulator.credentialStore,
    services: emulator.services,
    rootCredentials(accountId) {
      const key = emulator.organization.getAccount(accountId)?.accessKeys[0];
      if (!key) throw new Error(`no account ${accountId} in the world`);
      return key;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          emulator.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
