/**
 * IAM's Marker/MaxItems pagination. The marker is an opaque token naming the last key returned, so pages
 * stay stable while entries are added or removed between calls.
 */
import { AwsServiceError } from '../http/contract.js';

export interface Page<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  readonly marker?: string;
}

export const DEFAULT_MAX_ITEMS = 100;

export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  maxItems: number | undefined,
): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const after = decodeMarker(marker);
    // Continue after the entry the marker names; if it is gone, after the first key sorting above it.
    const exact = items.findIndex((i) => keyOf(i) === after);
    start = exact >= 0 ? exact + 1 : items.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = items.length;
  }
  const size = maxItems ?? DEFAULT_MAX_ITEMS;
  const page = items.slice(start, start + size);
  const isTruncated = start + size < items.length;
  const last = page[page.length - 1];
  return {
    items: page,
    isTruncated,
    ...(isTruncated && last !== undefined ? { marker: encodeMarker(keyOf(last)) } : {}),
  };
}

function encodeMarker(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeMarker(marker: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through to the error below
  }
  throw new AwsServiceError('InvalidInput', 'Invalid Marker.', 400);
}
