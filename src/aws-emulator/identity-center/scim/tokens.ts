import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StateStore } from '../../world-contract.js';

/**
 * SCIM access tokens ([doc] SSOUG-2022 provision-automatically: one-year validity; "If you have already
 * created the maximum number of SCIM access tokens, you will first need to delete one"; the maximum, 2, is
 * [unconfirmed]). Only a SHA-256 digest is stored; the secret is returned once, at creation.
 */
export const TOKEN_LIFETIME_MS = 365 * 24 * 3600 * 1000;
export const DEFAULT_MAX_TOKENS = 2;

export interface ScimTokenInfo {
  readonly tokenId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  lastUsedAt?: number;
}

interface StoredToken extends ScimTokenInfo {
  readonly digest: Buffer;
}

export class TokenQuotaError extends Error {
  override readonly name = 'TokenQuotaError';
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();
const TOKENS = 'idc-scim-tokens';
interface PersistedToken {
  tokenId: string;
  createdAt: number;
  expiresAt: number;
  digestHex: string;
}

export class ScimTokenRegistry {
  private readonly tokens = new Map<string, StoredToken>();

  constructor(
    private readonly now: () => number,
    private readonly state: StateStore,
    private readonly maxTokens = DEFAULT_MAX_TOKENS,
  ) {
    for (const p of state.list<PersistedToken>(TOKENS)) {
      this.tokens.set(p.tokenId, {
        tokenId: p.tokenId,
        createdAt: p.createdAt,
        expiresAt: p.expiresAt,
        digest: Buffer.from(p.digestHex, 'hex'),
      });
    }
  }

  /** Returns the secret exactly once; only its digest is kept. */
  create(): { readonly token: string; readonly info: ScimTokenInfo } {
    if (this.tokens.size >= this.maxTokens) {
      throw new TokenQuotaError(
        `You have already created the maximum number of SCIM access tokens (${this.maxTokens}); delete one first.`,
      );
    }
    const token = randomBytes(48).toString('base64url');
    const t = this.now();
    const stored: StoredToken = {
      tokenId: randomUUID(),
      createdAt: t,
      expiresAt: t + TOKEN_LIFETIME_MS,
      digest: digestOf(token),
    };
    this.tokens.set(stored.tokenId, stored);
    const persisted: PersistedToken = {
      tokenId: stored.tokenId,
      createdAt: stored.createdAt,
      expiresAt: stored.expiresAt,
      digestHex: stored.digest.toString('hex'),
    };
    this.state.put(TOKENS, stored.tokenId, persisted);
    return { token, info: this.publicView(stored) };
  }

  list(): ScimTokenInfo[] {
    return [...this.tokens.values()].map((t) => this.publicView(t)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Revocation takes effect for the very next request. */
  revoke(tokenId: string): boolean {
    this.state.delete(TOKENS, tokenId);
    return this.tokens.delete(tokenId);
  }

  /**
   * Compares the presented token's digest against every stored digest with timingSafeEqual (fixed-length
   * digests, no early exit), so timing reveals neither which token matched nor how much of one did.
   */
  authenticate(presented: string): ScimTokenInfo | undefined {
    if (presented.length === 0) return undefined;
    const d = digestOf(presented);
    let found: StoredToken | undefined;
    for (const t of this.tokens.values()) {
      if (timingSafeEqual(t.digest, d)) found = t;
    }
    if (!found || this.now() >= found.expiresAt) return undefined;
    found.lastUsedAt = this.now();
    return this.publicView(found);
  }

  private publicView(t: StoredToken): ScimTokenInfo {
    const v: ScimTokenInfo = { tokenId: t.tokenId, createdAt: t.createdAt, expiresAt: t.expiresAt };
    if (t.lastUsedAt !== undefined) v.lastUsedAt = t.lastUsedAt;
    return v;
  }
}
