import { randomBytes } from 'node:crypto';

/**
 * Browser sessions of the access portal and the SSO access tokens that the OIDC API issues and the portal API
 * accepts. Secrets are random 256-bit values; lookups go through Maps (no prototype keys).
 */
export interface BrowserSession {
  readonly userId: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface AccessToken {
  readonly userId: string;
  readonly clientId: string;
  readonly expiresAt: number;
}

const secret = (): string => randomBytes(32).toString('base64url');
export const BROWSER_SESSION_MS = 8 * 3600_000;
export const ACCESS_TOKEN_SECONDS = 8 * 3600;

const RETURN_PATH_MS = 15 * 60_000;
const MAX_RETURN_PATHS = 10_000;
/** Past this many entries, expired ones are swept on the next insert, so memory follows live sessions only. */
const SWEEP_AT = 10_000;

function sweep<T extends { readonly expiresAt: number }>(m: Map<string, T>, now: number): void {
  if (m.size < SWEEP_AT) return;
  for (const [k, v] of m) if (v.expiresAt <= now) m.delete(k);
}

export class AccessSessions {
  private readonly browser = new Map<string, BrowserSession>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly returnPaths = new Map<string, { readonly path: string; readonly expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  startBrowserSession(userId: string): string {
    const token = secret();
    sweep(this.browser, this.now());
    this.browser.set(token, { userId, csrf: secret(), expiresAt: this.now() + BROWSER_SESSION_MS });
    return token;
  }

  browserSession(token: string | undefined): BrowserSession | undefined {
    if (token === undefined) return undefined;
    const s = this.browser.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.browser.delete(token);
      return undefined;
    }
    return s;
  }

  /** A short RelayState value standing for a local path to return to after sign-in. */
  rememberReturnPath(path: string): string {
    const t = this.now();
    if (this.returnPaths.size >= MAX_RETURN_PATHS) {
      for (const [k, v] of this.returnPaths) if (v.expiresAt <= t) this.returnPaths.delete(k);
      // Still full: drop the oldest entries, which only costs those users a landing on the start page.
      for (const k of this.returnPaths.keys()) {
        if (this.returnPaths.size < MAX_RETURN_PATHS) break;
        this.returnPaths.delete(k);
      }
    }
    const id = `rs_${randomBytes(18).toString('base64url')}`;
    this.returnPaths.set(id, { path, expiresAt: t + RETURN_PATH_MS });
    return id;
  }

  takeReturnPath(relayState: string | null | undefined): string | undefined {
    if (!relayState) return undefined;
    const r = this.returnPaths.get(relayState);
    if (!r) return undefined;
    this.returnPaths.delete(relayState);
    return r.expiresAt > this.now() ? r.path : undefined;
  }

  endBrowserSession(token: string | undefined): void {
    if (token !== undefined) this.browser.delete(token);
  }

  issueAccessToken(userId: string, clientId: string): { readonly accessToken: string; readonly expiresIn: number } {
    const accessToken = `aoa${secret()}`;
    sweep(this.tokens, this.now());
    this.tokens.set(accessToken, { userId, clientId, expiresAt: this.now() + ACCESS_TOKEN_SECONDS * 1000 });
    return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS };
  }

  accessToken(token: string | undefined): AccessToken | undefined {
    if (token === undefined) return undefined;
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return t;
  }

  revokeAccessToken(token: string): boolean {
    return this.tokens.delete(token);
  }
}
