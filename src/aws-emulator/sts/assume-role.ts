/**
 * STS AssumeRole and GetSessionToken (Query protocol, signed). AssumeRole honours the target role's trust
 * policy; a caller that is itself a role session is role chaining, limited to one hour, and carries its source
 * identity and transitive session tags into the new session (STS API reference, AssumeRole; IAM User Guide,
 * "Passing session tags in AWS STS" and "Monitor and control actions taken with assumed roles").
 */
import type { CallerContext, QueryOperation } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import { QueryInput } from '../http/query-params.js';
import { el, optional, renderXml } from '../http/xml.js';
import { validatePolicyDocument } from '../iam/policy-document.js';
import type { CredentialIssuer, EmulatorLogger, IamReader, TemporaryCredentials } from '../world-contract.js';
import { trustPolicyAllows } from './assume-role-with-saml-trust-policy.js';
import type { ConditionContext } from './assume-role-with-saml-trust-policy.js';
import { packedSize } from './assume-role-with-saml-session.js';

export interface AssumeRoleDeps {
  readonly iamReader: IamReader;
  readonly credentials: CredentialIssuer;
  readonly log: EmulatorLogger;
  /** Whether the policies of the caller's role allow the action on the resource (role sessions only). */
  rolePoliciesAllow(roleArn: string, action: string, resource: string): boolean;
}

const ARN = { min: 20, max: 2048 };
const SESSION_NAME = { min: 2, max: 64, pattern: '[\\w+=,.@-]*' };
const SOURCE_IDENTITY = { min: 2, max: 64, pattern: '[\\w+=,.@-]*' };
const EXTERNAL_ID = { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' };
const POLICY = { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
const MAX_TAGS = 50;
/** A chained session lasts at most an hour (IAM User Guide, "Roles terms and concepts": role chaining). */
const CHAINED_MAX_SECONDS = 3600;

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function signed(caller: CallerContext | null): CallerContext {
  if (!caller) throw new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return caller;
}

function credentialsXml(c: TemporaryCredentials) {
  return el(
    'Credentials',
    el('AccessKeyId', c.accessKeyId),
    el('SecretAccessKey', c.secretAccessKey),
    el('SessionToken', c.sessionToken),
    el('Expiration', isoSeconds(c.expiration)),
  );
}

/** The role ARN of an assumed-role session ARN (which omits the role's path), to find the session's own policies. */
function sessionRoleArn(iam: IamReader, sessionArn: string): string | undefined {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(sessionArn);
  return m ? iam.getRoleByName(m[1] as string, m[2] as string)?.arn : undefined;
}

/** `PolicyArns.member.N.arn` (a list of PolicyDescriptorType structures). */
function policyArns(params: URLSearchParams): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 11; i++) {
    const arn = params.get(`PolicyArns.member.${i}.arn`);
    if (arn === null) break;
    out.push(arn);
  }
  if (out.length > 10 || out.some((a) => a.length < 20 || a.length > 2048))
    throw new AwsServiceError(
      'ValidationError',
      "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10 and each ARN 20 to 2048 characters",
    );
  return out;
}

export function createAssumeRole(deps: AssumeRoleDeps): QueryOperation {
  return async (params, rawCaller) => {
    const caller = signed(rawCaller);
    const q = new QueryInput(params);
    const roleArn = q.requiredString('RoleArn', ARN);
    const sessionName = q.requiredString('RoleSessionName', SESSION_NAME);
    const policy = q.string('Policy', POLICY);
    const requested = q.int('DurationSeconds', { min: 900, max: 43200 });
    const externalId = q.string('ExternalId', EXTERNAL_ID);
    const sourceIdentity = q.string('SourceIdentity', SOURCE_IDENTITY);
    q.string('SerialNumber', { min: 9, max: 256 });
    q.string('TokenCode', { min: 6, max: 6, pattern: '[\\d]*' });
    const tags = q.tags('Tags', MAX_TAGS);
    const transitiveKeys = q.list('TransitiveTagKeys', { min: 1, max: 128 }, MAX_TAGS);
    q.done();
    const sessionPolicyArns = policyArns(params);
    const denied = (why: string): AwsServiceError => {
      deps.log.warn('sts.assume-role-denied', { roleArn, caller: caller.principalArn, detail: why });
      return new AwsServiceError(
        'AccessDenied',
        `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    };
    if (policy !== undefined) validatePolicyDocument(policy, 'identity');

    const role = deps.iamReader.getRoleByArn(roleArn);
    if (!role) throw denied('the role does not exist');

    const chained = caller.session?.kind === 'role-session';
    if (chained && requested !== undefined && requested > CHAINED_MAX_SECONDS) {
      throw new AwsServiceError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        400,
      );
    }
    const duration = requested ?? 3600;
    if (duration > role.maxSessionDuration) {
      throw new AwsServiceError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        400,
      );
    }

    // Session tags: the caller's transitive tags come along and cannot be overridden; aws: keys are AWS's.
    const inherited = caller.session?.transitiveTags ?? [];
    for (const t of tags) {
      if (t.Key.toLowerCase().startsWith('aws:'))
        throw new AwsServiceError(
          'ValidationError',
          `Tag key ${t.Key} is reserved: keys beginning with aws: are AWS's.`,
        );
      if (inherited.some((i) => i.key.toLowerCase() === t.Key.toLowerCase()))
        throw new AwsServiceError(
          'ValidationError',
          `Tag key ${t.Key} is a transitive tag of the calling session and cannot be overridden.`,
        );
    }
    for (const k of transitiveKeys) {
      if (!tags.some((t) => t.Key.toLowerCase() === k.toLowerCase()))
        throw new AwsServiceError('ValidationError', `Transitive tag key ${k} is not one of the session tags.`);
    }
    const carriedSource = caller.session?.sourceIdentity;
    if (carriedSource !== undefined && sourceIdentity !== undefined && sourceIdentity !== carriedSource)
      throw denied('the source identity of a session cannot be changed');
    const source = carriedSource ?? sourceIdentity;
    if (source?.toLowerCase().startsWith('aws:'))
      throw new AwsServiceError('ValidationError', 'SourceIdentity must not begin with "aws:".');

    const allTags = [...inherited, ...tags.map((t) => ({ key: t.Key, value: t.Value }))];
    const context = new Map<string, string[]>();
    context.set('aws:principalarn', [caller.principalArn]);
    context.set('aws:principalaccount', [caller.accountId]);
    context.set('sts:rolesessionname', [sessionName]);
    if (externalId !== undefined) context.set('sts:externalid', [externalId]);
    if (source !== undefined) {
      context.set('sts:sourceidentity', [source]);
      context.set('aws:sourceidentity', [source]);
    }
    for (const t of inherited) context.set(`aws:principaltag/${t.key.toLowerCase()}`, [t.value]);
    for (const t of allTags) context.set(`aws:requesttag/${t.key.toLowerCase()}`, [t.value]);
    if (allTags.length > 0)
      context.set(
        'aws:tagkeys',
        allTags.map((t) => t.key),
      );
    if (transitiveKeys.length > 0) context.set('sts:transitivetagkeys', transitiveKeys);

    const actions = ['sts:AssumeRole'];
    if (allTags.length > 0) actions.push('sts:TagSession');
    if (source !== undefined) actions.push('sts:SetSourceIdentity');
    const direct = [caller.principalArn];
    const callerRole = chained ? sessionRoleArn(deps.iamReader, caller.principalArn) : undefined;
    if (callerRole) direct.push(callerRole);
    const account = [`arn:aws:iam::${caller.accountId}:root`];
    const allows = (principals: readonly string[]): boolean =>
      actions.every((action) =>
        trustPolicyAllows(role.assumeRolePolicyDocument, {
          action,
          awsPrincipals: principals,
          context: context as ConditionContext,
        }),
      );
    if (!allows(direct)) {
      // A trust policy naming the caller's account delegates to that account's own policies: a root caller
      // passes, a role session passes only when its role's policies allow sts:AssumeRole on the target.
      if (!allows(account)) throw denied('the trust policy does not allow the caller');
      if (chained && !(callerRole && deps.rolePoliciesAllow(callerRole, 'sts:AssumeRole', roleArn)))
        throw denied("the calling role's policies do not allow sts:AssumeRole on the role");
    }

    const transitive = new Set([
      ...inherited.map((t) => t.key.toLowerCase()),
      ...transitiveKeys.map((k) => k.toLowerCase()),
    ]);
    const credentials = deps.credentials.issueRoleSession(role.accountId, role, sessionName, duration, {
      ...(source !== undefined ? { sourceIdentity: source } : {}),
      transitiveTags: allTags.filter((t) => transitive.has(t.key.toLowerCase())),
    });
    deps.log.info('sts.assume-role', {
      roleArn,
      caller: caller.principalArn,
      accessKeyId: credentials.accessKeyId,
      chained,
    });
    const packed = packedSize(
      { policy, policyArns: sessionPolicyArns },
      { tags: allTags, transitiveKeys: [...transitive] },
    );
    if (packed !== undefined && packed > 100)
      throw new AwsServiceError(
        'PackedPolicyTooLarge',
        `Packed size of consumed session policies and session tags exceeds the limit (${packed}% of allowed)`,
        400,
      );
    return renderXml([
      credentialsXml(credentials),
      el(
        'AssumedRoleUser',
        el('AssumedRoleId', `${role.roleId}:${sessionName}`),
        el('Arn', `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`),
      ),
      optional('PackedPolicySize', packed),
      optional('SourceIdentity', source),
    ]);
  };
}

export function createGetSessionToken(deps: Pick<AssumeRoleDeps, 'credentials'>): QueryOperation {
  return (params, rawCaller) => {
    const caller = signed(rawCaller);
    const q = new QueryInput(params);
    const requested = q.int('DurationSeconds', { min: 900, max: 129600 });
    q.string('SerialNumber', { min: 9, max: 256 });
    q.string('TokenCode', { min: 6, max: 6, pattern: '[\\d]*' });
    q.done();
    if (caller.session !== undefined)
      throw new AwsServiceError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    // The root user's session tokens last at most an hour (STS API reference, GetSessionToken).
    const isRoot = caller.principalArn.endsWith(':root');
    const duration = Math.min(requested ?? (isRoot ? 3600 : 43200), isRoot ? 3600 : 129600);
    const credentials = deps.credentials.issueSessionToken(
      { accountId: caller.accountId, principalArn: caller.principalArn, userId: caller.userId },
      duration,
    );
    return renderXml([credentialsXml(credentials)]);
  };
}
