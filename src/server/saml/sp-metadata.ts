/**
 * An application's SP fields from the SP's own metadata (parsed by src/saml with the safe XML rules of
 * docs/security.md).
 */
import { DomainError, type NameIdFormat, type SamlApplicationInput } from '../../core/index.js';
import { BINDING, NAMEID_FORMAT, isSamlError, parseSpMetadata, type SpMetadata } from '../../saml/index.js';

const FORMAT_BY_URI = new Map<string, NameIdFormat>(
  Object.entries(NAMEID_FORMAT)
    .filter(([k]) => k !== 'entity')
    .map(([k, v]) => [v, k as NameIdFormat]),
);

export const appInputFromMetadata = (xml: string): SamlApplicationInput => {
  let md: SpMetadata;
  try {
    md = parseSpMetadata(xml);
  } catch (e) {
    if (!isSamlError(e)) throw e;
    throw new DomainError('invalid_input', `the SP metadata cannot be used: ${e.message}`, [
      { at: 'metadataXml', message: e.message },
    ]);
  }
  const post = md.assertionConsumerServices.filter((a) => a.binding === BINDING.post);
  if (post.length === 0) {
    throw new DomainError(
      'invalid_input',
      'the SP metadata has no HTTP-POST AssertionConsumerService; Keyway delivers responses with HTTP-POST',
      [{ at: 'metadataXml', message: 'no HTTP-POST AssertionConsumerService' }],
    );
  }
  const taken = new Set<number>();
  const acs = post.map((a, i) => {
    let index = a.index ?? i;
    while (taken.has(index)) index++;
    taken.add(index);
    return { url: a.location, index, isDefault: a.isDefault === true };
  });
  const slo =
    md.singleLogoutServices.find((s) => s.binding === BINDING.redirect) ??
    md.singleLogoutServices.find((s) => s.binding === BINDING.post);
  const nameIdFormat = md.nameIdFormats.map((f) => FORMAT_BY_URI.get(f)).find((f) => f !== undefined);
  return {
    name: md.entityId,
    entityId: md.entityId,
    acs,
    slo: slo
      ? {
          url: slo.location,
          binding: slo.binding === BINDING.post ? 'HTTP-POST' : 'HTTP-Redirect',
          responseUrl: slo.responseLocation ?? null,
        }
      : null,
    signingCertificates: md.signingCertificates,
    encryptionCertificate: md.encryptionCertificates[0] ?? null,
    requireSignedRequests: md.authnRequestsSigned,
    ...(nameIdFormat ? { nameIdFormat } : {}),
  };
};
