/** How applications and keys are shown outside the server (API, CLI), and input merged from SP metadata. */
import { X509Certificate } from 'node:crypto';
import type { SamlApplication, SamlApplicationInput, SigningKey } from '../../core/index.js';
import type { IdpUrls } from './runtime.js';
import { appInputFromMetadata } from './sp-metadata.js';

/** Everything but the persistent-ID secret, plus the URLs an admin hands to the SP. */
export const appView = (urls: IdpUrls, app: SamlApplication) => {
  const { persistentIdSecret: _secret, ...rest } = app;
  return { ...rest, links: { idpMetadata: urls.metadata, idpInitiatedSso: urls.appStart(app.id) } };
};

/** Never the sealed private key. */
export const keyView = (k: SigningKey) => {
  const { encryptedPrivateKey: _sealed, ...rest } = k;
  return { ...rest, notAfter: new Date(new X509Certificate(k.certificatePem).validTo).toISOString() };
};

/**
 * SP metadata first, then the fields given beside it (they win). On an update (`forUpdate`) the metadata refreshes
 * only the SP's own fields and never renames the application.
 */
export const withMetadata = (
  body: { readonly metadataXml?: string | undefined } & SamlApplicationInput,
  forUpdate = false,
): SamlApplicationInput => {
  const { metadataXml, ...fields } = body;
  if (!metadataXml) return fields;
  const { name, ...fromMetadata } = appInputFromMetadata(metadataXml);
  return {
    ...fromMetadata,
    ...(forUpdate ? {} : { name }),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
};
