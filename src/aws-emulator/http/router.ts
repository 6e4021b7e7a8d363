/**
 * Routes one request the way AWS clients address a shared endpoint: plain REST routes first (SCIM, sign-in,
 * portal, OIDC), then `X-Amz-Target` for JSON 1.1 services, then the Query protocol's `Action`/`Version`.
 * Every failure is answered in the protocol's own error format; the router never throws.
 */
import type {
  CallerContext,
  EmulatorRequest,
  EmulatorResponse,
  JsonServiceRegistration,
  QueryServiceRegistration,
  RestRouteRegistration,
  ServiceRegistration,
} from './contract.js';
import { AwsServiceError } from './contract.js';
import type { EmulatorLogger } from '../world-contract.js';
import { authError } from './auth-errors.js';
import { jsonError, jsonResponse, parseJsonBody } from './json-codec.js';
import { queryError, queryResponse, readQueryParams } from './query-codec.js';
import { newRequestId } from './request-id.js';
import type { CredentialLookup } from './sigv4.js';
import { SigV4Failure, verifySigV4 } from './sigv4.js';

export interface RouterOptions {
  readonly registrations: readonly ServiceRegistration[];
  readonly lookupCredential: CredentialLookup;
  readonly now: () => number;
  readonly log: EmulatorLogger;
}

export type RequestHandler = (req: EmulatorRequest) => Promise<EmulatorResponse>;

export function createRouter(options: RouterOptions): RequestHandler {
  const rest = options.registrations.filter((r): r is RestRouteRegistration => r.kind === 'rest');
  const json = new Map<string, JsonServiceRegistration>();
  const query = new Map<string, QueryServiceRegistration>();
  for (const r of options.registrations) {
    if (r.kind === 'json') {
      if (json.has(r.targetPrefix)) throw new Error(`two JSON services registered for ${r.targetPrefix}`);
      json.set(r.targetPrefix, r);
    } else if (r.kind === 'query') {
      if (query.has(r.version)) throw new Error(`two Query services registered for version ${r.version}`);
      query.set(r.version, r);
    }
  }

  async function authenticate(
    req: EmulatorRequest,
    signingName: string,
    requestId: string,
    protocol: 'query' | 'json',
  ): Promise<CallerContext> {
    try {
      const verified = await verifySigV4(req, signingName, options.lookupCredential, options.now());
      return { ...verified.principal, accessKeyId: verified.accessKeyId, region: verified.region, requestId };
    } catch (e) {
      if (e instanceof SigV4Failure) throw authError(e, protocol);
      throw e;
    }
  }

  async function handleRest(
    route: RestRouteRegistration,
    req: EmulatorRequest,
    requestId: string,
  ): Promise<EmulatorResponse> {
    try {
      return await route.handle(req);
    } catch (e) {
      options.log.warn('rest-route-failed', { requestId, route: route.name, error: String(e) });
      return {
        status: 500,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message: 'An internal error occurred.' }),
      };
    }
  }

  async function handleJson(target: string, req: EmulatorRequest, requestId: string): Promise<EmulatorResponse> {
    const dot = target.lastIndexOf('.');
    const service = dot > 0 ? json.get(target.slice(0, dot)) : undefined;
    const operationName = target.slice(dot + 1);
    const operation =
      service && Object.hasOwn(service.operations, operationName) ? service.operations[operationName] : undefined;
    const logFields = { requestId, target: target.slice(0, 128) };
    try {
      if (!service || !operation)
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${target.slice(0, 128)}`);
      const caller = await authenticate(req, service.signingName, requestId, 'json');
      const input = parseJsonBody(req.body);
      if (!input)
        throw new AwsServiceError(
          'SerializationException',
          'Start of structure or map found where not expected, or the body is not a JSON object.',
        );
      const output = await operation(input, caller);
      options.log.info('request', { ...logFields, status: 200, account: caller.accountId });
      return jsonResponse(output, requestId);
    } catch (e) {
      if (e instanceof AwsServiceError) {
        options.log.info('request', { ...logFields, status: e.status, error: e.code });
        return jsonError(e.code, e.message, e.status, requestId, e.extra);
      }
      options.log.warn('request-failed', { ...logFields, error: String(e) });
      return jsonError('InternalFailure', 'An internal error occurred.', 500, requestId);
    }
  }

  function pickQueryService(params: URLSearchParams): QueryServiceRegistration {
    const version = params.get('Version');
    if (version === null || version === '')
      throw new AwsServiceError('MissingParameter', 'The request must contain the parameter Version');
    const service = query.get(version);
    if (!service)
      throw new AwsServiceError(
        'NoSuchVersion',
        `The requested version (${version.slice(0, 32)}) of service is not available.`,
      );
    return service;
  }

  async function handleQuery(req: EmulatorRequest, requestId: string): Promise<EmulatorResponse> {
    let namespace: string | undefined;
    let action = '';
    try {
      const params = readQueryParams(req.method, req.headers['content-type'], req.body, req.query);
      if (!params) throw new AwsServiceError('MissingAction', 'Missing Action');
      const actionParam = params.get('Action');
      if (actionParam === null || actionParam === '') throw new AwsServiceError('MissingAction', 'Missing Action');
      const service = pickQueryService(params);
      namespace = service.xmlNamespace;
      if (!Object.hasOwn(service.operations, actionParam)) {
        throw new AwsServiceError(
          'InvalidAction',
          `Could not find operation ${actionParam.slice(0, 128)} for version ${service.version}`,
        );
      }
      action = actionParam;
      const operation = service.operations[action];
      if (!operation)
        throw new AwsServiceError('InvalidAction', `Could not find operation ${action} for version ${service.version}`);
      const caller = service.unsignedActions.has(action)
        ? null
        : await authenticate(req, service.signingName, requestId, 'query');
      const result = await operation(params, caller);
      options.log.info('request', { requestId, action, status: 200, account: caller?.accountId });
      return queryResponse(action, service.xmlNamespace, result, requestId);
    } catch (e) {
      if (e instanceof AwsServiceError) {
        options.log.info('request', { requestId, action, status: e.status, error: e.code });
        return queryError(e.code, e.message, e.status, e.fault, requestId, namespace);
      }
      options.log.warn('request-failed', { requestId, action, error: String(e) });
      return queryError(
        'InternalFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
        'Receiver',
        requestId,
        namespace,
      );
    }
  }

  return async (req) => {
    const requestId = newRequestId();
    const route = rest.find((r) => r.matches(req));
    if (route) return handleRest(route, req, requestId);
    const target = req.headers['x-amz-target'];
    if (target !== undefined) return handleJson(target, req, requestId);
    return handleQuery(req, requestId);
  };
}
