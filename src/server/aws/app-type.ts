import { createAwsIamAppType, type ApplicationType } from '../../core/index.js';
import { createAwsAccessService } from '../../store/index.js';
import type { ServerContext } from '../deps.js';

/** The AWS IAM application type, reading bindings of the signing-in user's groups only. */
export const awsIamAppTypeFactory = (ctx: ServerContext): ApplicationType => {
  const access = createAwsAccessService(ctx.store.db, ctx.now);
  return createAwsIamAppType({ bindingsForGroups: (ids) => access.bindingsForGroups(ids) });
};
