import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../core/index.js';

/** `If-Match: "<version>"` (RFC 9110 13.1.1) → the version the change must apply to; absent → undefined. */
export const expectedVersion = (req: FastifyRequest): number | undefined => {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = typeof h === 'string' ? /^\s*(?:W\/)?"(\d{1,12})"\s*$/.exec(h) : null;
  if (!m)
    throw new DomainError('invalid_input', 'If-Match must be a quoted version number such as "3"', [
      { at: 'header.if-match', message: 'not a version ETag' },
    ]);
  return Number(m[1]);
};
