import { DomainError, type FieldProblem } from '../errors.js';
import {
  MAX_SESSION_TAGS,
  checkAccountId,
  checkProviderName,
  checkSessionDuration,
  checkTagKey,
  show,
} from './aws-names.js';

/**
 * Where AWS's sign-in endpoint lives; also the SubjectConfirmation Recipient, so also `SAML:aud` (IAM User Guide,
 * "Configure SAML assertions for the authentication response").
 */
export const AWS_SIGNIN_URL = 'https://signin.aws.amazon.com/saml';
/** AWS's SP entity ID (IAM User Guide, "Configure SAML assertions for the authentication response"). */
export const AWS_AUDIENCE = 'urn:amazon:webservices';
export const DEFAULT_SAML_PROVIDER_NAME = 'Keyway';

export type AwsNameIdFormat = 'persistent' | 'emailAddress' | 'unspecified';

/**
 * Where a per-user value comes from: a directory field, or `attributes.<name>` for a custom attribute.
 * `email` is the primary email (or the first one).
 */
export type UserValueSource =
  | 'userName'
  | 'email'
  | 'id'
  | 'externalId'
  | 'displayName'
  | 'givenName'
  | 'familyName'
  | `attributes.${string}`;

export interface PrincipalTagMapping {
  /** Session tag key, sent as `https://aws.amazon.com/SAML/Attributes/PrincipalTag:<key>`. */
  readonly key: string;
  readonly from: UserValueSource;
}

/** Settings of one "AWS IAM" application: SAML federation straight into IAM roles (Pattern A). */
export interface AwsIamAppConfig {
  /**
   * The URL AWS knows its sign-in endpoint by: Response Destination, SubjectConfirmation Recipient, and so the
   * `SAML:aud` the trust policies pin (IAM User Guide, "Configure SAML assertions for the authentication response"; IAM
   * User Guide, "Create a role for SAML 2.0 federation (console)").
   */
  readonly signInUrl: string;
  /** Where the browser posts the Response; the same as signInUrl except in front of an emulator or a proxy. */
  readonly acsUrl: string;
  readonly audience: string;
  /** SAML provider name used in every account unless overridden. */
  readonly samlProviderName: string;
  /** Per-account override of the SAML provider name. */
  readonly samlProviderNames: Readonly<Record<string, string>>;
  readonly nameIdFormat: AwsNameIdFormat;
  /** SessionDuration attribute in seconds; null leaves it out (AWS's default of one hour applies). */
  readonly sessionDuration: number | null;
  readonly roleSessionNameFrom: UserValueSource;
  readonly sourceIdentityFrom: UserValueSource | null;
  readonly principalTags: readonly PrincipalTagMapping[];
}

export const defaultAwsIamAppConfig = (): AwsIamAppConfig => ({
  signInUrl: AWS_SIGNIN_URL,
  acsUrl: AWS_SIGNIN_URL,
  audience: AWS_AUDIENCE,
  samlProviderName: DEFAULT_SAML_PROVIDER_NAME,
  samlProviderNames: {},
  nameIdFormat: 'persistent',
  sessionDuration: null,
  roleSessionNameFrom: 'userName',
  sourceIdentityFrom: null,
  principalTags: [],
});

const SOURCES = new Set(['userName', 'email', 'id', 'externalId', 'displayName', 'givenName', 'familyName']);
const KNOWN_KEYS = new Set([
  'signInUrl',
  'acsUrl',
  'audience',
  'samlProviderName',
  'samlProviderNames',
  'nameIdFormat',
  'sessionDuration',
  'roleSessionNameFrom',
  'sourceIdentityFrom',
  'principalTags',
]);

function checkSource(value: unknown, at: string): UserValueSource {
  if (typeof value === 'string' && (SOURCES.has(value) || /^attributes\.[A-Za-z][\w.-]{0,127}$/.test(value)))
    return value as UserValueSource;
  throw new DomainError(
    'invalid_input',
    `${at} ${show(value)} must be one of ${[...SOURCES].join(', ')} or attributes.<name>`,
    [{ at, message: 'unknown user value source' }],
  );
}

function checkUrl(value: unknown, at: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new DomainError('invalid_input', `${at} ${show(value)} is not a URL`, [{ at, message: 'not a URL' }]);
  }
  if (
    typeof value !== 'string' ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new DomainError(
      'invalid_input',
      `${at} ${show(value)} must be an http(s) URL without credentials or fragment`,
      [{ at, message: 'bad URL' }],
    );
  }
  return value;
}

/**
 * Validates a whole or partial AWS IAM app configuration and fills defaults. Every problem is collected, so
 * an administrator sees all of them at once; the error names each bad value.
 */
export function parseAwsIamAppConfig(
  input: unknown,
  base: AwsIamAppConfig = defaultAwsIamAppConfig(),
  knownKeys: ReadonlySet<string> = KNOWN_KEYS,
): AwsIamAppConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DomainError('invalid_input', 'AWS IAM app settings must be an object');
  }
  const raw = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const attempt = <T>(at: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problems.push({ at, message: e.message });
      return fallback;
    }
  };
  for (const key of Object.keys(raw)) {
    if (!knownKeys.has(key)) problems.push({ at: key, message: `unknown setting ${show(key)}` });
  }
  const has = (k: string): boolean => Object.hasOwn(raw, k) && raw[k] !== undefined;

  const signInUrl = has('signInUrl')
    ? attempt('signInUrl', () => checkUrl(raw.signInUrl, 'signInUrl'), base.signInUrl)
    : base.signInUrl;
  const acsUrl = has('acsUrl')
    ? attempt('acsUrl', () => checkUrl(raw.acsUrl, 'acsUrl'), base.acsUrl)
    : has('signInUrl')
      ? signInUrl
      : base.acsUrl;
  const audience = has('audience')
    ? attempt(
        'audience',
        () => {
          const v = raw.audience;
          if (typeof v !== 'string' || v.length < 1 || v.length > 1024 || /\s/.test(v))
            throw new DomainError('invalid_input', `audience ${show(v)} must be a non-empty URI without spaces`);
          return v;
        },
        base.audience,
      )
    : base.audience;
  const samlProviderName = has('samlProviderName')
    ? attempt('samlProviderName', () => checkProviderName(raw.samlProviderName), base.samlProviderName)
    : base.samlProviderName;
  let samlProviderNames = base.samlProviderNames;
  if (has('samlProviderNames')) {
    const v = raw.samlProviderNames;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problems.push({ at: 'samlProviderNames', message: 'samlProviderNames must map account ids to provider names' });
    } else {
      const out: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [acct, name] of Object.entries(v as Record<string, unknown>)) {
        attempt(
          `samlProviderNames.${acct}`,
          () => {
            out[checkAccountId(acct, `samlProviderNames.${acct}`)] = checkProviderName(
              name,
              `samlProviderNames.${acct}`,
            );
          },
          undefined,
        );
      }
      samlProviderNames = { ...out };
    }
  }
  const nameIdFormat = has('nameIdFormat')
    ? attempt(
        'nameIdFormat',
        () => {
          const v = raw.nameIdFormat;
          if (v !== 'persistent' && v !== 'emailAddress' && v !== 'unspecified') {
            throw new DomainError(
              'invalid_input',
              `nameIdFormat ${show(v)} must be persistent, emailAddress or unspecified`,
            );
          }
          return v;
        },
        base.nameIdFormat,
      )
    : base.nameIdFormat;
  const sessionDuration = has('sessionDuration')
    ? raw.sessionDuration === null
      ? null
      : attempt('sessionDuration', () => checkSessionDuration(raw.sessionDuration), base.sessionDuration)
    : base.sessionDuration;
  const roleSessionNameFrom = has('roleSessionNameFrom')
    ? attempt(
        'roleSessionNameFrom',
        () => checkSource(raw.roleSessionNameFrom, 'roleSessionNameFrom'),
        base.roleSessionNameFrom,
      )
    : base.roleSessionNameFrom;
  const sourceIdentityFrom = has('sourceIdentityFrom')
    ? raw.sourceIdentityFrom === null
      ? null
      : attempt(
          'sourceIdentityFrom',
          () => checkSource(raw.sourceIdentityFrom, 'sourceIdentityFrom'),
          base.sourceIdentityFrom,
        )
    : base.sourceIdentityFrom;
  let principalTags = base.principalTags;
  if (has('principalTags')) {
    const v = raw.principalTags;
    if (!Array.isArray(v)) {
      problems.push({ at: 'principalTags', message: 'principalTags must be a list of {key, from}' });
    } else {
      if (v.length > MAX_SESSION_TAGS)
        problems.push({
          at: 'principalTags',
          message: `at most ${MAX_SESSION_TAGS} session tags are allowed, got ${v.length}`,
        });
      const seen = new Set<string>();
      const tags: PrincipalTagMapping[] = [];
      v.forEach((item: unknown, i: number) => {
        const at = `principalTags[${i}]`;
        if (typeof item !== 'object' || item === null) {
          problems.push({ at, message: 'each tag must be {key, from}' });
          return;
        }
        const t = item as Record<string, unknown>;
        const key = attempt(`${at}.key`, () => checkTagKey(t.key, `${at}.key`), null);
        const from = attempt(`${at}.from`, () => checkSource(t.from, `${at}.from`), null);
        if (key !== null) {
          // Session tags override each other case-insensitively (id_session-tags), so duplicates are ambiguous.
          if (seen.has(key.toLowerCase()))
            problems.push({
              at: `${at}.key`,
              message: `session tag key ${show(key)} is listed twice (keys are case-insensitive)`,
            });
          seen.add(key.toLowerCase());
        }
        if (key !== null && from !== null) tags.push({ key, from });
      });
      principalTags = tags;
    }
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const message =
      problems.length === 1
        ? `invalid AWS IAM app setting ${first.at}: ${first.message}`
        : `${problems.length} invalid AWS IAM app settings; first: ${first.at}: ${first.message}`;
    throw new DomainError('invalid_input', message, problems);
  }
  return {
    signInUrl,
    acsUrl,
    audience,
    samlProviderName,
    samlProviderNames,
    nameIdFormat,
    sessionDuration,
    roleSessionNameFrom,
    sourceIdentityFrom,
    principalTags,
  };
}

export const providerNameFor = (config: AwsIamAppConfig, accountId: string): string =>
  config.samlProviderNames[accountId] ?? config.samlProviderName;
