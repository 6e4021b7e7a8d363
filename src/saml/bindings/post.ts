/** HTTP-POST binding (SAML bindings 3.5): a base64 form field and an optional RelayState. */
import { SamlError } from '../errors.js';
import { decodeBase64, decodeUtf8 } from './codec.js';
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from './limits.js';
import type { DecodedMessage, MessageParam } from './redirect.js';

/** A parsed form body: a field sent twice arrives as an array and is refused. */
export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

function single(form: FormFields, name: string): string | undefined {
  const v = form[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SamlError('duplicate_parameter', `The ${name} field appears more than once.`);
  return v;
}

export function decodePostMessage(
  form: FormFields,
  param: MessageParam,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
): DecodedMessage {
  const encoded = single(form, param);
  if (encoded === undefined || encoded === '')
    throw new SamlError('missing_parameter', `The ${param} field is missing.`);
  if (single(form, param === 'SAMLRequest' ? 'SAMLResponse' : 'SAMLRequest') !== undefined) {
    throw new SamlError('duplicate_parameter', 'A message carries both SAMLRequest and SAMLResponse.');
  }
  if (encoded.length > limits.maxEncodedLength) throw new SamlError('too_large', 'The message is too large.');
  const bytes = decodeBase64(encoded);
  if (bytes.length > limits.xml.maxBytes) throw new SamlError('too_large', 'The message is too large.');
  return { xml: decodeUtf8(bytes), relayState: single(form, 'RelayState') };
}
