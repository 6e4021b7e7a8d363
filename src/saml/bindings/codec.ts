/** Strict base64, raw DEFLATE with an output cap, and UTF-8 decoding for inbound SAML messages. */
import { inflateRawSync } from 'node:zlib';
import { SamlError } from '../errors.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: only line breaks are tolerated (some SPs wrap POST values), and the length must be whole. */
export function decodeBase64(value: string): Buffer {
  const compact = value.replace(/[\r\n]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new SamlError('bad_base64', 'The message is not valid base64.');
  }
  return Buffer.from(compact, 'base64');
}

/** Raw DEFLATE (RFC 1951, SAML bindings 3.4.4.1); inflation stops at `maxBytes`, so a deflate bomb fails fast. */
export function inflate(data: Buffer, maxBytes: number): Buffer {
  try {
    return inflateRawSync(data, { maxOutputLength: maxBytes });
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlError('too_large', 'The message is too large once decompressed.');
    }
    throw new SamlError(
      'bad_deflate',
      'The message is not valid DEFLATE data.',
      e instanceof Error ? e.message : undefined,
    );
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(data: Buffer): string {
  try {
    return utf8.decode(data);
  } catch {
    throw new SamlError('bad_encoding', 'The message is not valid UTF-8.');
  }
}
