import { createHmac } from 'node:crypto';
import { DomainError } from '../errors.js';
import type { Group } from '../directory/types.js';
import type { SamlApplication, SignInContext, ValueSource } from './types.js';

/** What a value source reads: the user, their groups, and the application's persistent-ID secret (SAML or OIDC). */
export type SourceContext = Pick<SignInContext, 'user' | 'effectiveGroups' | 'directGroups'> & {
  readonly app: Pick<SamlApplication, 'persistentIdSecret'>;
};

const USER_FIELDS = [
  'id',
  'userName',
  'email',
  'emails',
  'givenName',
  'familyName',
  'displayName',
  'externalId',
] as const;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Returns a problem message, or null when the expression is one Keyway knows (see ValueSource). */
export const checkSource = (source: ValueSource): string | null => {
  if (source === 'groups' || source === 'groups.direct' || source === 'groups.ids' || source === 'persistentId')
    return null;
  if (source.startsWith('static:'))
    return source.length > 7 && source.length <= 1024 ? null : 'static values are 1..1017 characters';
  if (source.startsWith('user.attributes.')) {
    return ATTRIBUTE_KEY.test(source.slice(16)) ? null : 'custom attribute keys are 1..128 of A-Z a-z 0-9 _ . : -';
  }
  if (source.startsWith('user.') && (USER_FIELDS as readonly string[]).includes(source.slice(5))) return null;
  return `unknown source "${source.slice(0, 64)}"; use user.<${USER_FIELDS.join('|')}>, user.attributes.<key>, groups, groups.direct, groups.ids, persistentId or static:<text>`;
};

/**
 * A stable opaque NameID per (application, user) that reveals nothing about the user and differs between
 * applications, so two SPs cannot correlate users (SAML core 8.3.7).
 */
export const persistentId = (appSecret: string, userId: string): string =>
  createHmac('sha256', Buffer.from(appSecret, 'base64url')).update(userId, 'utf8').digest('base64url');

const names = (groups: readonly Group[]): string[] =>
  groups.map((g) => g.displayName).sort((a, b) => a.localeCompare(b));

/** Values of one source for one sign-in; empty values are dropped, order is stable. */
export const evaluateSource = (source: ValueSource, ctx: SourceContext): string[] => {
  const { user } = ctx;
  const primaryEmail = user.emails.find((e) => e.primary)?.value ?? user.emails[0]?.value ?? null;
  const one = (v: string | null | undefined): string[] => (v ? [v] : []);
  if (source.startsWith('static:')) return [source.slice(7)];
  if (source.startsWith('user.attributes.')) {
    const v = Object.hasOwn(user.attributes, source.slice(16)) ? user.attributes[source.slice(16)] : undefined;
    if (v === undefined) return [];
    return (typeof v === 'string' ? [v] : [...v]).filter((x) => x !== '');
  }
  switch (source) {
    case 'persistentId':
      return [persistentId(ctx.app.persistentIdSecret, user.id)];
    case 'groups':
      return names(ctx.effectiveGroups);
    case 'groups.direct':
      return names(ctx.directGroups);
    case 'groups.ids':
      return ctx.effectiveGroups.map((g) => g.id).sort();
    case 'user.id':
      return [user.id];
    case 'user.userName':
      return [user.userName];
    case 'user.email':
      return one(primaryEmail);
    case 'user.emails':
      return user.emails.map((e) => e.value).filter((x) => x !== '');
    case 'user.givenName':
      return one(user.givenName);
    case 'user.familyName':
      return one(user.familyName);
    case 'user.displayName':
      return one(user.displayName);
    case 'user.externalId':
      return one(user.externalId);
    default:
      throw new DomainError('invalid_input', `unknown value source ${source.slice(0, 64)}`);
  }
};

/** XML 1.0 `Char` (section 2.2): anything else cannot be carried in an assertion and is refused, never dropped. */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
export const isXmlSafe = (value: string): boolean => !NOT_XML_CHAR.test(value);
