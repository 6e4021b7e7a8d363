/**
 * oidc-provider's storage adapter over a plain payload store (the port below, implemented in src/store).
 * `Client` is not stored here: clients are Keyway applications, read through `findClient`.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** The storage this module needs; src/store implements it on SQLite and PostgreSQL. */
export interface OidcPayloadPort {
  upsert(
    model: string,
    id: string,
    payload: Readonly<Record<string, unknown>>,
    keys: { grantId?: string; userCode?: string; uid?: string; expiresAt?: string },
  ): Promise<void>;
  find(
    model: string,
    id: string,
  ): Promise<{ readonly payload: Readonly<Record<string, unknown>>; readonly consumedAt: string | null } | null>;
  findBy(
    model: string,
    column: 'user_code' | 'uid',
    value: string,
  ): Promise<{ readonly payload: Readonly<Record<string, unknown>>; readonly consumedAt: string | null } | null>;
  consume(model: string, id: string, at: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** Client metadata (OpenID Connect Dynamic Client Registration 1.0 section 2 names), or undefined when unknown. */
export type FindClient = (clientId: string) => Promise<AdapterPayload | undefined>;

export const adapterFactory = (store: OidcPayloadPort, findClient: FindClient, now: () => Date) =>
  class KeywayAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private static revive(
      found: { readonly payload: Readonly<Record<string, unknown>>; readonly consumedAt: string | null } | null,
    ): AdapterPayload | undefined {
      if (!found) return undefined;
      return {
        ...(found.payload as AdapterPayload),
        ...(found.consumedAt ? { consumed: Math.floor(Date.parse(found.consumedAt) / 1000) } : {}),
      };
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await store.upsert(this.model, id, payload as Record<string, unknown>, {
        ...(payload.grantId ? { grantId: payload.grantId } : {}),
        ...(payload.userCode ? { userCode: payload.userCode } : {}),
        ...(payload.uid ? { uid: payload.uid } : {}),
        ...(expiresIn ? { expiresAt: new Date(now().getTime() + expiresIn * 1000).toISOString() } : {}),
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(id);
      return KeywayAdapter.revive(await store.find(this.model, id));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return KeywayAdapter.revive(await store.findBy(this.model, 'user_code', userCode));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return KeywayAdapter.revive(await store.findBy(this.model, 'uid', uid));
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.model, id, now().toISOString());
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(grantId);
    }
  };
