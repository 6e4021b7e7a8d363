/** Argument parsers and look-ups shared by the directory commands. */
import { InvalidArgumentError } from 'commander';
import { DomainError } from '../../core/index.js';
import type { DirectoryService, Group, User } from '../../core/index.js';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const positiveInt =
  (max: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
      throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return Number(value);
  };

export const isoTime = (value: string): string => {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime()))
    throw new InvalidArgumentError('must be an ISO-8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z');
  return d.toISOString();
};

export const oneOf =
  <const V extends string>(values: readonly V[]) =>
  (value: string): V => {
    if (!values.includes(value as V)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return value as V;
  };

/** `--attr key=value` (repeat a key for several values). */
export const attributesFrom = (pairs: readonly string[] | undefined): Record<string, string | string[]> | undefined => {
  if (!pairs?.length) return undefined;
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i < 1) throw new InvalidArgumentError(`--attr ${p}: expected key=value`);
    const k = p.slice(0, i);
    const v = p.slice(i + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return { ...out };
};

const notFound = (e: unknown) => e instanceof DomainError && e.code === 'not_found';

/** A user by userName (case-insensitive) or by id. */
export const resolveUser = async (dir: DirectoryService, ref: string): Promise<User> => {
  const byName = await dir.findUserByUserName(ref);
  if (byName) return byName;
  try {
    return await dir.getUser(ref);
  } catch (e) {
    if (notFound(e)) throw new DomainError('not_found', `no user with userName or id "${ref}"`);
    throw e;
  }
};

/** A group by displayName (case-insensitive) or by id. */
export const resolveGroup = async (dir: DirectoryService, ref: string): Promise<Group> => {
  const byName = await dir.findGroupByDisplayName(ref);
  if (byName) return byName;
  try {
    return await dir.getGroup(ref);
  } catch (e) {
    if (notFound(e)) throw new DomainError('not_found', `no group with displayName or id "${ref}"`);
    throw e;
  }
};
