/**
 * STS on the Query protocol (version 2011-06-15): GetCallerIdentity, plus the operations given (AssumeRoleWithSAML,
 * AssumeRole, GetSessionToken).
 */
import type { QueryOperation, QueryServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import { el, renderXml } from '../http/xml.js';

export const STS_VERSION = '2011-06-15';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const getCallerIdentity: QueryOperation = (_params, caller) => {
  if (!caller) throw new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return renderXml([el('Arn', caller.principalArn), el('UserId', caller.userId), el('Account', caller.accountId)]);
};

export interface StsOperations {
  /** The only unsigned action, as in AWS's model (`auth: smithy.api#noAuth`). */
  readonly assumeRoleWithSaml?: QueryOperation;
  readonly assumeRole?: QueryOperation;
  readonly getSessionToken?: QueryOperation;
}

export function createStsRegistration(ops: StsOperations = {}): QueryServiceRegistration {
  const { assumeRoleWithSaml } = ops;
  const operations: Record<string, QueryOperation> = { GetCallerIdentity: getCallerIdentity };
  if (assumeRoleWithSaml) operations.AssumeRoleWithSAML = assumeRoleWithSaml;
  if (ops.assumeRole) operations.AssumeRole = ops.assumeRole;
  if (ops.getSessionToken) operations.GetSessionToken = ops.getSessionToken;
  return {
    kind: 'query',
    version: STS_VERSION,
    signingName: 'sts',
    xmlNamespace: STS_NAMESPACE,
    unsignedActions: new Set(assumeRoleWithSaml ? ['AssumeRoleWithSAML'] : []),
    operations,
  };
}
