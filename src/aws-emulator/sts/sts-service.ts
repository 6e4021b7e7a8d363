/** STS on the Query protocol (version 2011-06-15): GetCallerIdentity, plus AssumeRoleWithSAML when provided. */
import type { QueryOperation, QueryServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import { el, renderXml } from '../http/xml.js';

export const STS_VERSION = '2011-06-15';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const getCallerIdentity: QueryOperation = (_params, caller) => {
  if (!caller) throw new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return renderXml([el('Arn', caller.principalArn), el('UserId', caller.userId), el('Account', caller.accountId)]);
};

/**
 * `assumeRoleWithSaml` is the STS-SAML engineer's operation (sts/assume-role-with-saml.ts); it is the only
 * unsigned action, as in AWS's model (`auth: smithy.api#noAuth`).
 */
export function createStsRegistration(assumeRoleWithSaml?: QueryOperation): QueryServiceRegistration {
  const operations: Record<string, QueryOperation> = { GetCallerIdentity: getCallerIdentity };
  if (assumeRoleWithSaml) operations.AssumeRoleWithSAML = assumeRoleWithSaml;
  return {
    kind: 'query',
    version: STS_VERSION,
    signingName: 'sts',
    xmlNamespace: STS_NAMESPACE,
    unsignedActions: new Set(assumeRoleWithSaml ? ['AssumeRoleWithSAML'] : []),
    operations,
  };
}
