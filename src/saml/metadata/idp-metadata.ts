/**
 * The IdP's `<md:EntityDescriptor>` (SAML metadata 2.4.3 IDPSSODescriptor). Several signing certificates may be
 * published at once (current and next) so SPs learn a new key before it is used (key rollover). UTF-8 without
 * BOM and with a `validUntil`, as AWS IAM requires for CreateSAMLProvider (IAM User Guide, "Create a SAML identity
 * provider in IAM").
 */
import { BINDING, NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { certificateBase64 } from '../crypto/credential.js';
import { element, instant, textElement } from '../xml/canonical-writer.js';
import { DS, MD } from '../xml/ns-decls.js';

export interface MetadataEndpoint {
  readonly binding: 'redirect' | 'post';
  readonly location: string;
}

export interface IdpMetadataOptions {
  readonly entityId: string;
  /** SingleSignOnService endpoints; Keyway serves both HTTP-Redirect and HTTP-POST. */
  readonly ssoUrls: readonly MetadataEndpoint[];
  readonly sloUrls?: readonly MetadataEndpoint[];
  /** Signing certificates (PEM or base64 DER): the current one first, then any "next" key being rolled in. */
  readonly signingCerts: readonly string[];
  readonly nameIdFormats?: readonly string[];
  /** Metadata expiry; SPs (and AWS) expect one. */
  readonly validUntil: Date;
  /** Whether Keyway requires SPs to sign AuthnRequests (WantAuthnRequestsSigned). Default false. */
  readonly wantAuthnRequestsSigned?: boolean;
  readonly technicalContactEmail?: string;
}

export function buildIdpMetadata(opts: IdpMetadataOptions): string {
  if (opts.signingCerts.length === 0)
    throw new SamlError('missing_field', 'IdP metadata needs at least one signing certificate.');
  if (opts.ssoUrls.length === 0) throw new SamlError('missing_field', 'IdP metadata needs at least one SSO endpoint.');
  const keys = opts.signingCerts
    .map((c) =>
      element(
        'md:KeyDescriptor',
        [['use', 'signing']],
        element(
          'ds:KeyInfo',
          [],
          element('ds:X509Data', [], textElement('ds:X509Certificate', [], certificateBase64(c))),
        ),
        [DS],
      ),
    )
    .join('');
  const endpoints = (name: string, list: readonly MetadataEndpoint[]) =>
    list
      .map((e) =>
        element(
          name,
          [
            ['Binding', BINDING[e.binding]],
            ['Location', e.location],
          ],
          '',
        ),
      )
      .join('');
  const descriptor = element(
    'md:IDPSSODescriptor',
    [
      ['WantAuthnRequestsSigned', opts.wantAuthnRequestsSigned ? 'true' : 'false'],
      ['protocolSupportEnumeration', NS.samlp],
    ],
    keys +
      endpoints('md:SingleLogoutService', opts.sloUrls ?? []) +
      (opts.nameIdFormats ?? []).map((f) => textElement('md:NameIDFormat', [], f)).join('') +
      endpoints('md:SingleSignOnService', opts.ssoUrls),
  );
  const contact = opts.technicalContactEmail
    ? element(
        'md:ContactPerson',
        [['contactType', 'technical']],
        textElement('md:EmailAddress', [], `mailto:${opts.technicalContactEmail}`),
      )
    : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    element(
      'md:EntityDescriptor',
      [
        ['entityID', opts.entityId],
        ['validUntil', instant(opts.validUntil)],
      ],
      descriptor + contact,
      [MD],
    )
  );
}
