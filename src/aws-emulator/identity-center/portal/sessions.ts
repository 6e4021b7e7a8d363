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

export class AccessSessions {
  private readonly browser = new Map<string, BrowserSession>();
  private readonly tokens = new Map<string, AccessToken>();

  constructor(private readonly now: () => number) {}

  startBrowserSession(userId: string): string {
    const token = secret();
    this.browser.set(token, { userId, csrf: secret(), expiresAt: this.now() + BROWSER_SESSION_MS });
    return token;
  }

  browserSession(token: string | undefined): BrowserSession | undefined {
    if (token === undefined) return undefined;
    const s = this.browser.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) { this.browser.delete(token); return undefined; }
    return s;
  }

  endBrowserSession(token: string | undefined): void {
    if (token !== undefined) this.browser.delete(token);
  }

  issueAccessToken(userId: string, clientId: string): { readonly accessToken: string; readonly expiresIn: number } {
    const accessToken = `aoa${secret()}`;
    this.tokens.set(accessToken, { userId, clientId, expiresAt: this.now() + ACCESS_TOKEN_SECONDS * 1000 });
    return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS };
  }

  accessToken(token: string | undefined): AccessToken | undefined {
    if (token === undefined) return undefined;
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) { this.tokens.delete(token); return undefined; }
    return t;
  }

  revokeAccessToken(token: string): boolean {
    return this.tokens.delete(token);
  }
}
