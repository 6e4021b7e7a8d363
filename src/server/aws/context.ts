/**
 * What the AWS routes share, built once per ServerContext: the access service (accounts, bindings), the CLI
 * sign-in store, the SAML runtime, and lookups of the AWS IAM application.
 */
import {
  AWS_IAM_APP_TYPE,
  DomainError,
  awsIamConfigOf,
  type AwsAccessService,
  type AwsIamAppConfig,
  type CliSignInStore,
  type SamlApplication,
} from '../../core/index.js';
import { createAwsAccessService, createCliSignInStore } from '../../store/index.js';
import type { ServerContext } from '../deps.js';
import { createSamlRuntime, type SamlRuntime } from '../saml/runtime.js';

export interface AwsServices {
  readonly access: AwsAccessService;
  readonly cli: CliSignInStore;
  readonly rt: SamlRuntime;
  /** Every AWS IAM application, enabled or not, in name order. */
  awsApps(): Promise<readonly SamlApplication[]>;
  /** The AWS IAM application to use: the one with this id, or the only enabled one. */
  awsApp(id?: string): Promise<{ app: SamlApplication; config: AwsIamAppConfig }>;
}

const cache = new WeakMap<ServerContext, AwsServices>();

const PAGE = 200;
const MAX_PAGES = 50;

export function awsServices(ctx: ServerContext): AwsServices {
  const hit = cache.get(ctx);
  if (hit) return hit;
  const rt = createSamlRuntime(ctx);
  const awsApps = async (): Promise<SamlApplication[]> => {
    const out: SamlApplication[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await rt.apps.list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
      out.push(...page.items.filter((a) => a.type === AWS_IAM_APP_TYPE));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return out;
  };
  const services: AwsServices = {
    access: createAwsAccessService(ctx.store.db, ctx.now),
    cli: createCliSignInStore(ctx.store.db),
    rt,
    awsApps,
    async awsApp(id) {
      if (id) {
        const app = await rt.apps.get(id);
        if (app.type !== AWS_IAM_APP_TYPE)
          throw new DomainError('invalid_input', `application ${app.name} is not an AWS IAM application`);
        return { app, config: awsIamConfigOf(app) };
      }
      const apps = (await awsApps()).filter((a) => a.enabled);
      if (apps.length === 0)
        throw new DomainError(
          'not_found',
          'no AWS IAM application is set up in Keyway; create one (type aws-iam) first',
        );
      if (apps.length > 1)
        throw new DomainError(
          'invalid_input',
          `several AWS IAM applications exist (${apps.map((a) => a.name).join(', ')}); name one`,
          [{ at: 'app', message: 'ambiguous' }],
        );
      return { app: apps[0]!, config: awsIamConfigOf(apps[0]!) };
    },
  };
  cache.set(ctx, services);
  return services;
}
