/**
 * Credentials the emulator knows: each account's long-term root keys from the world file, and the temporary
 * `ASIA…` credentials STS issues (kept in the state store with their session token and expiry).
 */
import { randomBytes } from 'node:crypto';
import type { CredentialLookup, KnownCredential } from '../http/sigv4.js';
import type { CredentialIssuer, IamRoleInfo, StateStore, TemporaryCredentials } from '../world-contract.js';
import type { World } from '../world/world.js';

const COLLECTION = 'sts.credentials';

interface StoredSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: number;
  readonly accountId: string;
  readonly principalArn: string;
  readonly userId: string;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKeyId(prefix: string): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[(bytes[i] as number) & 31];
  return id;
}

export interface CredentialStore extends CredentialIssuer {
  readonly lookup: CredentialLookup;
}

export function createCredentialStore(world: World, state: StateStore, now: () => number): CredentialStore {
  const rootKeys = new Map<string, KnownCredential>();
  for (const account of world.worldAccounts) {
    for (const key of account.accessKeys) {
      rootKeys.set(key.accessKeyId, {
        secretAccessKey: key.secretAccessKey,
        principal: { accountId: account.id, principalArn: `arn:aws:iam::${account.id}:root`, userId: account.id },
      });
    }
  }
  let issued = 0;
  return {
    lookup(accessKeyId) {
      const root = rootKeys.get(accessKeyId);
      if (root) return root;
      const session = state.get<StoredSession>(COLLECTION, accessKeyId);
      if (!session) return undefined;
      return {
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: session.expiration,
        principal: { accountId: session.accountId, principalArn: session.principalArn, userId: session.userId },
      };
    },
    issueRoleSession(
      accountId: string,
      role: IamRoleInfo,
      sessionName: string,
      durationSeconds: number,
    ): TemporaryCredentials {
      if (!Number.isInteger(durationSeconds) || durationSeconds <= 0)
        throw new Error('durationSeconds must be a positive integer');
      const session: StoredSession = {
        accessKeyId: randomKeyId('ASIA'),
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(96).toString('base64'),
        expiration: now() + durationSeconds * 1000,
        accountId,
        principalArn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${sessionName}`,
        userId: `${role.roleId}:${sessionName}`,
      };
      state.transaction(() => {
        // Every 256 issues, sessions expired for an hour are dropped, so the table stays bounded by live sessions.
        if (++issued % 256 === 0) {
          for (const old of state.list<StoredSession>(COLLECTION)) {
            if (old.expiration <= now() - 3600_000) state.delete(COLLECTION, old.accessKeyId);
          }
        }
        state.put(COLLECTION, session.accessKeyId, session);
      });
      return {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: session.expiration,
      };
    },
  };
}
