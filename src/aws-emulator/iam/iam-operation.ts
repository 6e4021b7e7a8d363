/** What every IAM Query operation shares: the model's constraints, the caller's account, list results. */
import type { CallerContext, QueryOperation } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import { QueryInput } from '../http/query-params.js';
import { el, optional, renderXml } from '../http/xml.js';
import type { XmlContent } from '../http/xml.js';
import { members } from './iam-shapes.js';

/** Constraints from the IAM model (botocore iam 2010-05-08 shapes). */
export const RULES = {
  roleName: { min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  policyName: { min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  samlProviderName: { min: 1, max: 128, pattern: '[\\w._-]+' },
  arn: { min: 20, max: 2048 },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyPathPrefix: { min: 1, max: 512, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  description: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  policyDocument: { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  samlMetadata: { min: 1000, max: 10_000_000 },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  versionId: { pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  actionName: { min: 3, max: 128 },
  resourceName: { min: 1, max: 2048 },
} as const;

export const MAX_ITEMS = { min: 1, max: 1000 };

function accountOf(caller: CallerContext | null): string {
  if (!caller) throw new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return caller.accountId;
}

export function xml(...content: XmlContent[]): string {
  return renderXml(content);
}

/** Returns the Result members, or undefined for an operation whose model has no output shape. */
type Op = (
  input: QueryInput,
  account: string,
  caller: CallerContext,
  params: URLSearchParams,
) => string | undefined | Promise<string>;

export function op(fn: Op): QueryOperation {
  return (params, caller) => {
    const account = accountOf(caller);
    return fn(new QueryInput(params), account, caller as CallerContext, params);
  };
}

export function listResult(
  name: string,
  items: readonly XmlContent[],
  page: { isTruncated: boolean; marker?: string },
): string {
  return xml(members(name, items), el('IsTruncated', page.isTruncated), optional('Marker', page.marker));
}
