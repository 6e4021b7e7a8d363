/**
 * Everything the SAML routes, the admin API and the CLI share, built from a ServerContext: the IdP's own URLs,
 * signing keys (service, sealing, opened credentials), applications, the replay cache and the application types.
 * Stateless apart from caches of immutable things (opened keys), so building it twice is harmless.
 */
import {
  createApplicationService,
  createApplicationTypeRegistry,
  createSigningKeyService,
  currentKey,
  publishedKeys,
  type ApplicationService,
  type ApplicationType,
  type ApplicationTypeRegistry,
  type SigningKey,
  type SigningKeyCommands,
} from '../../core/index.js';
import {
  createApplicationStore,
  createMessageIdCache,
  createSigningKeyStore,
  type MessageIdCache,
  type Store,
} from '../../store/index.js';
import { buildIdpMetadata, createSigningCredential, NAMEID_FORMAT, type SigningCredential } from '../../saml/index.js';
import { deriveKey, type ServerConfig } from '../config.js';
import type { ServerContext } from '../deps.js';
import { applicationTypeFactories } from './app-types.js';
import { createKeyMaterialFactory, createKeyVault, type KeyVault } from './keys/key-material.js';
import { masterKeyFrom } from './keys/master-key.js';

export interface IdpUrls {
  readonly entityId: string;
  readonly metadata: string;
  readonly sso: string;
  readonly slo: string;
  readonly appStart: (appId: string) => string;
}

export interface SamlRuntime {
  readonly urls: IdpUrls;
  readonly keys: SigningKeyCommands;
  readonly apps: ApplicationService;
  readonly types: ApplicationTypeRegistry;
  readonly replay: MessageIdCache;
  readonly vault: KeyVault;
  /** The current key as a ready signing credential; installs the first key if there is none. */
  signingCredential(): Promise<SigningCredential>;
  /** IdP metadata with every published key (current first, then next and previous). */
  metadataXml(now: Date): Promise<string>;
}

export const idpUrls = (baseUrl: string): IdpUrls => ({
  entityId: `${baseUrl}/saml/metadata`,
  metadata: `${baseUrl}/saml/metadata`,
  sso: `${baseUrl}/saml/sso`,
  slo: `${baseUrl}/saml/slo`,
  appStart: (id) => `${baseUrl}/saml/apps/${encodeURIComponent(id)}/start`,
});

/** How long SPs may cache the metadata (validUntil); AWS requires the attribute. */
const METADATA_VALID_DAYS = 30;

export const ISSUED_NAME_ID_FORMATS = [
  NAMEID_FORMAT.persistent,
  NAMEID_FORMAT.emailAddress,
  NAMEID_FORMAT.unspecified,
  NAMEID_FORMAT.transient,
];

export interface RuntimeParts {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly now?: () => Date;
  readonly types?: readonly ApplicationType[];
}

export const createSamlRuntimeFrom = ({
  config,
  store,
  now = () => new Date(),
  types = applicationTypeFactories.map((f) => f({ store, config })),
}: RuntimeParts): SamlRuntime => {
  const master = masterKeyFrom(deriveKey(config, 'saml-signing-keys'));
  const urls = idpUrls(config.baseUrl);
  const keys = createSigningKeyService({
    store: createSigningKeyStore(store.db, now),
    material: createKeyMaterialFactory({
      master,
      bits: config.samlKeyBits,
      commonName: new URL(config.baseUrl).hostname,
    }),
    now,
  });
  const registry = createApplicationTypeRegistry(types);
  const vault = createKeyVault(master);
  const credentials = new Map<string, SigningCredential>();
  const credentialFor = (key: SigningKey): SigningCredential => {
    let c = credentials.get(key.id);
    if (!c) {
      c = createSigningCredential(vault.privateKey(key), key.certificatePem);
      credentials.set(key.id, c);
    }
    return c;
  };
  const firstStart = { kind: 'system', id: 'saml-first-start', label: 'first start' } as const;
  return {
    urls,
    keys,
    apps: createApplicationService({
      store: createApplicationStore(store.db, now),
      directory: store.directory,
      types: registry,
      now,
    }),
    types: registry,
    replay: createMessageIdCache(store.db),
    vault,
    async signingCredential() {
      const key = currentKey(await keys.list()) ?? (await keys.ensureCurrent(firstStart));
      return credentialFor(key);
    },
    async metadataXml(at) {
      let published = publishedKeys(await keys.list());
      if (published.length === 0) published = [await keys.ensureCurrent(firstStart)];
      return buildIdpMetadata({
        entityId: urls.entityId,
        ssoUrls: [
          { binding: 'redirect', location: urls.sso },
          { binding: 'post', location: urls.sso },
        ],
        sloUrls: [
          { binding: 'redirect', location: urls.slo },
          { binding: 'post', location: urls.slo },
        ],
        signingCerts: published.map((k) => k.certificatePem),
        nameIdFormats: ISSUED_NAME_ID_FORMATS,
        validUntil: new Date(at.getTime() + METADATA_VALID_DAYS * 86_400_000),
      });
    },
  };
};

export const createSamlRuntime = (ctx: ServerContext): SamlRuntime =>
  createSamlRuntimeFrom({ config: ctx.config, store: ctx.store, now: ctx.now });
