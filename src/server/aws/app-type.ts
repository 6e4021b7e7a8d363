import { createAwsIamAppType, type ApplicationType } from '../../core/index.js';
import { createAwsAccessService, type Store } from '../../store/index.js';

/** The AWS IAM application type, reading bindings of the signing-in user's groups only. */
export const awsIamAppTypeFactory = ({ store }: { readonly store: Store }): ApplicationType => {
  const access = createAwsAccessService(store.db);
  return createAwsIamAppType({ boundRolesForGroups: (ids) => access.boundRolesForGroups(ids) });
};
