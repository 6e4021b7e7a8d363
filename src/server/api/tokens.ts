/** Admin API tokens: issued (shown once), listed without secrets, revoked; each change audited. */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../core/index.js';
import type { Actor, ApiToken } from '../../core/index.js';
import { newApiToken, sha256Hex } from '../../auth/index.js';
import type { Store } from '../../store/index.js';

export interface IssuedToken {
  /** The secret; shown once, never stored. */
  readonly token: string;
  readonly record: ApiToken;
}

const tokenNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._@:-]{0,63}$/;

export const issueApiToken = async (
  store: Pick<Store, 'apiTokens' | 'audit'>,
  actor: Actor,
  name: string,
  now = new Date(),
): Promise<IssuedToken> => {
  if (!tokenNamePattern.test(name)) {
    throw new DomainError(
      'invalid_input',
      'token name must be 1-64 letters, digits, spaces or ._@:- and start with a letter or digit',
      [{ at: 'name', message: 'invalid token name' }],
    );
  }
  const token = newApiToken();
  const record: ApiToken = {
    id: randomUUID(),
    name,
    hash: sha256Hex(token),
    createdAt: now.toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await store.apiTokens.create(record);
  await store.audit.record({
    action: 'token.created',
    actor,
    outcome: 'success',
    target: { type: 'api-token', id: record.id, label: name },
  });
  return { token, record };
};

export const revokeApiToken = async (
  store: Pick<Store, 'apiTokens' | 'audit'>,
  actor: Actor,
  idOrName: string,
  now = new Date(),
): Promise<ApiToken> => {
  const tokens = await store.apiTokens.list();
  const matches = tokens.filter((t) => t.id === idOrName || t.name === idOrName);
  if (matches.length === 0) throw new DomainError('not_found', `no API token with id or name "${idOrName}"`);
  if (matches.length > 1) throw new DomainError('conflict', `several tokens are named "${idOrName}"; revoke by id`);
  const token = matches[0] as ApiToken;
  if (token.revokedAt) throw new DomainError('conflict', `token ${token.id} was already revoked at ${token.revokedAt}`);
  await store.apiTokens.revoke(token.id, now.toISOString());
  await store.audit.record({
    action: 'token.revoked',
    actor,
    outcome: 'success',
    target: { type: 'api-token', id: token.id, label: token.name },
  });
  return { ...token, revokedAt: now.toISOString() };
};
