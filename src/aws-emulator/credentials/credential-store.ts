/**
 * Credentials the emulator knows: each account's long-term root keys from the world file, and the temporary
 * `ASIA…` credentials STS issues (kept in the state store with their session token and expiry).
 */
import { randomBytes } from 'node:crypto';
import type { CredentialLookup } from '../http/sigv4.js';
import type {
  CredentialIssuer,
  IamRoleInfo,
  SessionAttributes,
  StateStore,
  TemporaryCredentials,
} from '../world-contract.js';
import type { WorldAccessKey } from '../world/world.js';

const COLLECTION = 'sts.credentials';

interface StoredSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: number;
  readonly accountId: string;
  readonly principalArn: string;
  readonly userId: string;
  /** Absent in sessions stored before session attributes were kept: those are role sessions without tags. */
  readonly session?: SessionAttributes;
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

/** The long-term (root) keys of the organisation's accounts, including accounts created while running. */
export type RootKeyLookup = (accessKeyId: string) => { accountId: string; key: WorldAccessKey } | undefined;

export function createCredentialStore(rootKey: RootKeyLookup, state: StateStore, now: () => number): CredentialStore {
  let issued = 0;
  return {
    lookup(accessKeyId) {
      const root = rootKey(accessKeyId);
      if (root) {
        const accountId = root.accountId;
        return {
          secretAccessKey: root.key.secretAccessKey,
          principal: { accountId, principalArn: `arn:aws:iam::${accountId}:root`, userId: accountId },
        };
      }
      const session = state.get<StoredSession>(COLLECTION, accessKeyId);
      if (!session) return undefined;
      return {
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: session.expiration,
        principal: {
          accountId: session.accountId,
          principalArn: session.principalArn,
          userId: session.userId,
          session: session.session ?? { kind: 'role-session', transitiveTags: [] },
        },
      };
    },
    issueRoleSession(accountId, role: IamRoleInfo, sessionName, durationSeconds, carried = {}): TemporaryCredentials {
      return store({
        expiresIn: durationSeconds,
        accountId,
        principalArn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${sessionName}`,
        userId: `${role.roleId}:${sessionName}`,
        session: {
          kind: 'role-session',
          ...(carried.sourceIdentity !== undefined ? { sourceIdentity: carried.sourceIdentity } : {}),
          transitiveTags: [...(carried.transitiveTags ?? [])],
        },
      });
    },
    issueSessionToken(principal, durationSeconds): TemporaryCredentials {
      return store({
        ...principal,
        expiresIn: durationSeconds,
        session: { kind: 'session-token', transitiveTags: [] },
      });
    },
  };

  function store(
    who: Omit<StoredSession, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration'> & { expiresIn: number },
  ): TemporaryCredentials {
    const { expiresIn, ...principal } = who;
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new Error('durationSeconds must be a positive integer');
    const session: StoredSession = {
      accessKeyId: randomKeyId('ASIA'),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: now() + expiresIn * 1000,
      ...principal,
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
  }
}
