/**
 * STS AssumeRoleWithSAML (Query protocol, unsigned): model constraints on the parameters, then AWS's SAML
 * checks in AWS's order (assume-role-with-saml-validation.ts), then temporary credentials and the Result XML
 * (AWS STS API Reference, "AssumeRoleWithSAML"; members in the model's order, which clients do not depend on).
 */
import type { QueryOperation } from '../http/contract.js';
import { QueryInput } from '../http/query-params.js';
import { el, optional, renderXml } from '../http/xml.js';
import { SamlErrors } from './assume-role-with-saml-errors.js';
import {
  claimAssertion,
  findProvider,
  parseAssertionParameter,
  verifyForProvider,
  type SamlFederationDeps,
} from './assume-role-with-saml-validation.js';
import { authorizeRoleSession, issueRoleSession } from './assume-role-with-saml-session.js';

const ARN_RULE = {
  min: 20,
  max: 2048,
  pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]+',
};
const MAX_POLICY_ARNS = 10;

/** `PolicyArns.member.N.arn` (botocore sts: a list of PolicyDescriptorType structures). */
function readPolicyArns(params: URLSearchParams): string[] {
  const arns: string[] = [];
  const problems: string[] = [];
  for (let i = 1; i <= MAX_POLICY_ARNS + 1; i++) {
    const arn = params.get(`PolicyArns.member.${i}.arn`);
    if (arn === null) break;
    if (arn.length < 20)
      problems.push(
        `Value '${arn}' at 'policyArns.${i}.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
      );
    else if (arn.length > 2048)
      problems.push(
        `Value at 'policyArns.${i}.member.arn' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      );
    arns.push(arn);
  }
  if (arns.length > MAX_POLICY_ARNS)
    problems.push(
      `Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`,
    );
  if (problems.length > 0) throw SamlErrors.validation(problems);
  return arns;
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createAssumeRoleWithSaml(deps: SamlFederationDeps): QueryOperation {
  return (params) => {
    const input = new QueryInput(params);
    const roleArn = input.requiredString('RoleArn', ARN_RULE);
    const principalArn = input.requiredString('PrincipalArn', ARN_RULE);
    const samlAssertion = input.requiredString('SAMLAssertion', { min: 4, max: 100_000 });
    const policy = input.string('Policy', { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' });
    const durationSeconds = input.int('DurationSeconds', { min: 900, max: 43200 });
    input.done();
    const policyArns = readPolicyArns(params);

    const parsed = parseAssertionParameter(samlAssertion, deps);
    const provider = findProvider(principalArn, deps);
    if (!provider) {
      deps.log.warn('saml.rejected', { principalArn, detail: 'no such SAML provider' });
      throw SamlErrors.providerNotFound();
    }
    const verified = verifyForProvider(parsed, provider, deps);
    claimAssertion(verified, deps);
    const session = authorizeRoleSession(
      verified,
      {
        roleArn,
        principalArn,
        durationSeconds: durationSeconds ?? 3600,
        ...(policy !== undefined ? { policy } : {}),
        policyArns,
      },
      deps,
    );
    const credentials = issueRoleSession(session, deps);
    deps.log.info('sts.assume-role-with-saml', {
      assumedRoleArn: session.assumedRoleArn,
      accessKeyId: credentials.accessKeyId,
      issuer: session.issuer,
    });
    return renderXml([
      el(
        'Credentials',
        el('AccessKeyId', credentials.accessKeyId),
        el('SecretAccessKey', credentials.secretAccessKey),
        el('SessionToken', credentials.sessionToken),
        el('Expiration', isoSeconds(credentials.expiration)),
      ),
      el('AssumedRoleUser', el('AssumedRoleId', session.assumedRoleId), el('Arn', session.assumedRoleArn)),
      optional('PackedPolicySize', session.packedPolicySize),
      el('Subject', session.subject),
      el('SubjectType', session.subjectType),
      el('Issuer', session.issuer),
      el('Audience', session.audience),
      el('NameQualifier', session.nameQualifier),
      optional('SourceIdentity', session.sourceIdentity),
    ]);
  };
}
