import { X509Certificate } from 'node:crypto';
import { DomainError, type FieldProblem } from '../errors.js';
import type {
  AcsEndpoint,
  AttributeMapping,
  NameIdFormat,
  SamlApplication,
  SamlApplicationInput,
  SloEndpoint,
} from './types.js';
import { checkSource, isXmlSafe } from './sources.js';

export const NAME_ID_FORMATS: readonly NameIdFormat[] = ['persistent', 'emailAddress', 'unspecified', 'transient'];
/** The NameID source used when the admin names a format but no source. */
export const DEFAULT_NAME_ID_SOURCE: Record<NameIdFormat, string> = {
  persistent: 'persistentId',
  emailAddress: 'user.email',
  unspecified: 'user.userName',
  transient: 'persistentId',
};
export const DEFAULT_SESSION_SECONDS = 8 * 3600;
export const MIN_SESSION_SECONDS = 300;
export const MAX_SESSION_SECONDS = 7 * 24 * 3600;
/** SAML bindings 3.4.3 / 3.5.3: RelayState MUST NOT exceed 80 bytes. */
export const MAX_RELAY_STATE_BYTES = 80;

/** The admin-editable fields of an application, after validation and defaults. */
export type ValidFields = Omit<
  SamlApplication,
  'id' | 'type' | 'settings' | 'persistentIdSecret' | 'createdAt' | 'updatedAt' | 'version'
>;

const text = (p: FieldProblem[], at: string, v: unknown, max: number): string | null => {
  if (typeof v !== 'string' || v.trim() === '') {
    p.push({ at, message: 'is required' });
    return null;
  }
  if (v.length > max) {
    p.push({ at, message: `is longer than ${max} characters` });
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1F\x7F]/.test(v) || !isXmlSafe(v)) {
    p.push({ at, message: 'contains control characters' });
    return null;
  }
  return v.trim();
};

const httpUrl = (p: FieldProblem[], at: string, v: unknown): string | null => {
  const s = text(p, at, v, 2048);
  if (s === null) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    p.push({ at, message: 'is not an absolute URL' });
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    p.push({ at, message: 'must be an http or https URL' });
    return null;
  }
  if (u.username || u.password) {
    p.push({ at, message: 'must not carry credentials' });
    return null;
  }
  return s;
};

/** Accepts PEM or bare base64 DER; stores bare base64 DER after checking it parses as X.509. */
export const normaliseCertificate = (p: FieldProblem[], at: string, v: unknown): string | null => {
  if (typeof v !== 'string') {
    p.push({ at, message: 'must be a PEM or base64 certificate' });
    return null;
  }
  const b64 = v.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length > 16384) {
    p.push({ at, message: 'is not a base64 certificate' });
    return null;
  }
  try {
    new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    p.push({ at, message: 'is not a valid X.509 certificate' });
    return null;
  }
  return b64;
};

const bool = (p: FieldProblem[], at: string, v: unknown, dflt: boolean): boolean => {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') {
    p.push({ at, message: 'must be true or false' });
    return dflt;
  }
  return v;
};

const acsList = (p: FieldProblem[], v: SamlApplicationInput['acs']): AcsEndpoint[] => {
  if (!Array.isArray(v) || v.length === 0) {
    p.push({ at: 'acs', message: 'needs at least one Assertion Consumer Service URL' });
    return [];
  }
  if (v.length > 32) {
    p.push({ at: 'acs', message: 'has more than 32 entries' });
    return [];
  }
  const out: AcsEndpoint[] = [];
  const seen = new Set<number>();
  v.forEach((e, i) => {
    const url = httpUrl(p, `acs[${i}].url`, e.url);
    const index = e.index ?? i;
    if (!Number.isInteger(index) || index < 0 || index > 65535)
      p.push({ at: `acs[${i}].index`, message: 'must be an integer 0..65535' });
    if (seen.has(index)) p.push({ at: `acs[${i}].index`, message: `index ${index} is used twice` });
    seen.add(index);
    if (url !== null) out.push({ url, index, isDefault: e.isDefault === true });
  });
  const defaults = out.filter((e) => e.isDefault).length;
  if (defaults > 1) p.push({ at: 'acs', message: 'only one ACS URL can be the default' });
  if (defaults === 0 && out.length > 0) {
    // SAML metadata 2.2.3: without an explicit default, the lowest index is the default.
    const lowest = out.reduce((a, b) => (b.index < a.index ? b : a));
    return out.map((e) => ({ ...e, isDefault: e === lowest }));
  }
  return out;
};

const attributeList = (p: FieldProblem[], v: SamlApplicationInput['attributes']): AttributeMapping[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    p.push({ at: 'attributes', message: 'must be a list' });
    return [];
  }
  if (v.length > 100) {
    p.push({ at: 'attributes', message: 'has more than 100 mappings' });
    return [];
  }
  const out: AttributeMapping[] = [];
  v.forEach((a, i) => {
    const name = text(p, `attributes[${i}].name`, a.name, 1024);
    const problem = typeof a.source === 'string' ? checkSource(a.source) : 'is required';
    if (problem) p.push({ at: `attributes[${i}].source`, message: problem });
    const nameFormat = a.nameFormat ?? (name !== null && /^(urn:|https?:)/.test(name) ? 'uri' : 'basic');
    if (!['basic', 'uri', 'unspecified'].includes(nameFormat))
      p.push({ at: `attributes[${i}].nameFormat`, message: 'must be basic, uri or unspecified' });
    const friendlyName = a.friendlyName == null ? null : text(p, `attributes[${i}].friendlyName`, a.friendlyName, 256);
    const filterPrefix =
      a.filterPrefix == null || a.filterPrefix === ''
        ? null
        : text(p, `attributes[${i}].filterPrefix`, a.filterPrefix, 256);
    if (name !== null && out.some((o) => o.name === name))
      p.push({ at: `attributes[${i}].name`, message: `attribute ${name} is mapped twice` });
    if (name !== null && !problem)
      out.push({ name, nameFormat, friendlyName, source: a.source, filterPrefix, required: a.required === true });
  });
  return out;
};

/** Checks a whole application input (after defaults and merging) and returns normalised fields or throws invalid_input with every problem. */
export const validateFields = (input: SamlApplicationInput): ValidFields => {
  const p: FieldProblem[] = [];
  const name = text(p, 'name', input.name, 200) ?? '';
  const description =
    input.description == null || input.description === '' ? null : text(p, 'description', input.description, 2000);
  const entityId = text(p, 'entityId', input.entityId, 1024) ?? '';
  const acs = acsList(p, input.acs);
  let slo: SloEndpoint | null = null;
  if (input.slo) {
    const url = httpUrl(p, 'slo.url', input.slo.url);
    const binding = input.slo.binding ?? 'HTTP-Redirect';
    if (binding !== 'HTTP-Redirect' && binding !== 'HTTP-POST')
      p.push({ at: 'slo.binding', message: 'must be HTTP-Redirect or HTTP-POST' });
    const responseUrl = input.slo.responseUrl ? httpUrl(p, 'slo.responseUrl', input.slo.responseUrl) : null;
    if (url !== null) slo = { url, binding, responseUrl };
  }
  const certs = input.signingCertificates ?? [];
  if (!Array.isArray(certs) || certs.length > 4)
    p.push({ at: 'signingCertificates', message: 'must be a list of at most 4 certificates' });
  const signingCertificates = (Array.isArray(certs) ? certs.slice(0, 4) : [])
    .map((c, i) => normaliseCertificate(p, `signingCertificates[${i}]`, c))
    .filter((c): c is string => c !== null);
  const encryptionCertificate = input.encryptionCertificate
    ? normaliseCertificate(p, 'encryptionCertificate', input.encryptionCertificate)
    : null;
  const requireSignedRequests = bool(p, 'requireSignedRequests', input.requireSignedRequests, false);
  if (requireSignedRequests && signingCertificates.length === 0)
    p.push({ at: 'requireSignedRequests', message: 'needs at least one SP signing certificate to verify with' });
  const nameIdFormat = input.nameIdFormat ?? 'persistent';
  if (!NAME_ID_FORMATS.includes(nameIdFormat))
    p.push({ at: 'nameIdFormat', message: `must be one of ${NAME_ID_FORMATS.join(', ')}` });
  const nameIdSource = input.nameIdSource ?? DEFAULT_NAME_ID_SOURCE[nameIdFormat] ?? 'persistentId';
  const sourceProblem = checkSource(nameIdSource);
  if (sourceProblem) p.push({ at: 'nameIdSource', message: sourceProblem });
  if (nameIdSource.startsWith('groups') || nameIdSource.startsWith('static:') || nameIdSource === 'user.emails') {
    p.push({ at: 'nameIdSource', message: 'must name one per-user value' });
  }
  const attributes = attributeList(p, input.attributes);
  const signResponse = bool(p, 'signResponse', input.signResponse, true);
  const signAssertion = bool(p, 'signAssertion', input.signAssertion, true);
  if (!signResponse && !signAssertion)
    p.push({ at: 'signAssertion', message: 'the Response, the Assertion or both must be signed' });
  const allowSha1 = bool(p, 'allowSha1', input.allowSha1, false);
  const sessionDurationSeconds = input.sessionDurationSeconds ?? DEFAULT_SESSION_SECONDS;
  if (
    !Number.isInteger(sessionDurationSeconds) ||
    sessionDurationSeconds < MIN_SESSION_SECONDS ||
    sessionDurationSeconds > MAX_SESSION_SECONDS
  ) {
    p.push({
      at: 'sessionDurationSeconds',
      message: `must be an integer ${MIN_SESSION_SECONDS}..${MAX_SESSION_SECONDS}`,
    });
  }
  const allowedGroupIds = [...new Set(input.allowedGroupIds ?? [])];
  if (allowedGroupIds.length > 1000 || allowedGroupIds.some((g) => typeof g !== 'string' || g === ''))
    p.push({ at: 'allowedGroupIds', message: 'must be a list of group ids' });
  let defaultRelayState: string | null = null;
  if (input.defaultRelayState) {
    defaultRelayState = text(p, 'defaultRelayState', input.defaultRelayState, MAX_RELAY_STATE_BYTES);
    if (defaultRelayState !== null && Buffer.byteLength(defaultRelayState) > MAX_RELAY_STATE_BYTES)
      p.push({ at: 'defaultRelayState', message: 'is longer than 80 bytes (SAML bindings 3.4.3)' });
  }
  const enabled = bool(p, 'enabled', input.enabled, true);
  if (p.length > 0) throw new DomainError('invalid_input', 'the application is not valid', p);
  return {
    name,
    description,
    enabled,
    entityId,
    acs,
    slo,
    signingCertificates,
    encryptionCertificate,
    requireSignedRequests,
    nameIdFormat,
    nameIdSource,
    attributes,
    signResponse,
    signAssertion,
    allowSha1,
    sessionDurationSeconds,
    allowedGroupIds,
    defaultRelayState,
  };
};
