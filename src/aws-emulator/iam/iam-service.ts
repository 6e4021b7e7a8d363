/**
 * IAM on the Query protocol (version 2010-05-08). Each operation reads its parameters against the model's
 * constraints, acts on the signing caller's account, and renders the model's output members.
 */
import type { QueryServiceRegistration } from '../http/contract.js';
import { roleOperations } from './iam-role-operations.js';
import { policyOperations } from './iam-policy-operations.js';
import { samlOperations } from './iam-saml-operations.js';
import type { IamStore } from './iam-store.js';
import { simulationOperations } from './policy-simulation.js';

export const IAM_VERSION = '2010-05-08';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function createIamRegistration(iam: IamStore): QueryServiceRegistration {
  return {
    kind: 'query',
    version: IAM_VERSION,
    signingName: 'iam',
    xmlNamespace: IAM_NAMESPACE,
    unsignedActions: new Set(),
    operations: {
      ...roleOperations(iam),
      ...policyOperations(iam),
      ...samlOperations(iam),
      ...simulationOperations(iam),
    },
  };
}
