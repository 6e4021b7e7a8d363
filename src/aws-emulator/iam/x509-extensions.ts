/**
 * The extension OIDs of a DER X.509 certificate (RFC 5280 §4.1), read with a minimal DER walker: IAM refuses
 * metadata whose certificate repeats an extension (IAM UG id_roles_providers_create_saml), and node:crypto's
 * X509Certificate accepts such certificates without saying so. Only lengths and tags are read; anything that is
 * not the expected structure is `undefined`, which the caller treats as unparseable metadata.
 */

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** The TLV at `offset` within `[offset, limit)`, or undefined when it does not fit. */
function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    // DER never needs more than 4 length octets for a certificate, and 0x80 (indefinite) is not DER.
    if (octets === 0 || octets > 4 || start + octets > limit) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[start + i]!;
    start += octets;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(der, at, parent.end);
    if (!child) return undefined;
    out.push(child);
    at = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const OID = 0x06;
/** `[3] EXPLICIT Extensions` inside TBSCertificate. */
const EXTENSIONS = 0xa3;

/** The hex DER of every extension's OID, in order; undefined when the certificate is not shaped as RFC 5280 says. */
export function certificateExtensionOids(der: Uint8Array): string[] | undefined {
  const certificate = readTlv(der, 0, der.length);
  if (!certificate || certificate.tag !== SEQUENCE || certificate.end !== der.length) return undefined;
  const tbs = children(der, certificate)?.[0];
  if (!tbs || tbs.tag !== SEQUENCE) return undefined;
  const fields = children(der, tbs);
  if (!fields) return undefined;
  const wrapper = fields.find((f) => f.tag === EXTENSIONS);
  if (!wrapper) return [];
  const list = children(der, wrapper);
  if (list?.length !== 1 || list[0]!.tag !== SEQUENCE) return undefined;
  const extensions = children(der, list[0]!);
  if (!extensions) return undefined;
  const oids: string[] = [];
  for (const extension of extensions) {
    if (extension.tag !== SEQUENCE) return undefined;
    const id = children(der, extension)?.[0];
    if (!id || id.tag !== OID) return undefined;
    oids.push(Buffer.from(der.subarray(id.start, id.end)).toString('hex'));
  }
  return oids;
}
