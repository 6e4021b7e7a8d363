/** The awsQuery wire format: form-encoded requests, `<{Op}Response>` XML answers and `<ErrorResponse>` errors. */
import type { EmulatorResponse } from './contract.js';
import { AwsServiceError } from './contract.js';
import { el, elAttrs, escapeAttribute, renderXml, xmlSafeText } from './xml.js';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Wraps an operation's Result XML. An operation whose model has no output shape (PutRolePolicy, DeleteRole, …)
 * passes `undefined` and AWS then sends only ResponseMetadata; an output shape without members (UpdateRole)
 * still gets its empty `<{Op}Result/>`, which botocore requires.
 */
export function queryResponse(
  action: string,
  xmlNamespace: string,
  resultXml: string | undefined,
  requestId: string,
): EmulatorResponse {
  const metadata = renderXml(el('ResponseMetadata', el('RequestId', requestId)));
  // resultXml was produced by the escaping builder; the action name is a registered operation name.
  const result = resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`;
  const open = `<${action}Response xmlns="${escapeAttribute(xmlNamespace)}">`;
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `${XML_DECLARATION}${open}${result}${metadata}</${action}Response>`,
  };
}

export function queryError(
  code: string,
  message: string,
  status: number,
  fault: 'Sender' | 'Receiver',
  requestId: string,
  xmlNamespace?: string,
): EmulatorResponse {
  const body = elAttrs(
    'ErrorResponse',
    xmlNamespace ? { xmlns: xmlNamespace } : {},
    el('Error', el('Type', fault), el('Code', code), el('Message', xmlSafeText(message))),
    el('RequestId', requestId),
  );
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: XML_DECLARATION + renderXml(body),
  };
}

/**
 * Query parameters from a POST form body (plus the URL's query string) or a GET query string. A POST body that
 * is not `application/x-www-form-urlencoded` carries no parameters, as for AWS. Bad percent-encoding or bytes
 * that are not UTF-8 are refused with AWS's `MalformedQueryString` rather than silently repaired.
 */
export function readQueryParams(
  method: string,
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): URLSearchParams | undefined {
  if (method === 'GET') return query;
  if (method !== 'POST') return undefined;
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (body.length > 0 && mediaType !== 'application/x-www-form-urlencoded') return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformed();
  }
  for (const piece of text.split('&')) {
    try {
      decodeURIComponent(piece.replace(/\+/g, ' '));
    } catch {
      throw malformed();
    }
  }
  const params = new URLSearchParams(text);
  for (const [k, v] of query) if (!params.has(k)) params.append(k, v);
  return params;
}

function malformed(): AwsServiceError {
  // AWS's common-errors table gives MalformedQueryString HTTP 404.
  return new AwsServiceError('MalformedQueryString', 'The query string contains a syntax error.', 404);
}
