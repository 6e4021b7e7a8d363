/** Shared set-up for the SAML endpoint tests: a server, an SP registered as an app, users with sessions. */
import { newSessionSecrets } from '../../auth/index.js';
import { systemActor, type Group, type SamlApplication, type User } from '../../core/index.js';
import { sessionCookieName } from '../session.js';
import { startTestServer, type TestServer } from '../testing.js';
import { createSamlRuntimeFrom, type SamlRuntime } from './runtime.js';

export const BASE = 'https://keyway.test';
export const actor = systemActor('saml-test');

export interface SamlTestbed {
  readonly s: TestServer;
  readonly rt: SamlRuntime;
  readonly allowed: Group;
  readonly member: User;
  readonly outsider: User;
  /** Cookie header for a fresh session of this user. */
  session(user: User, authMethods?: readonly string[]): Promise<{ cookie: string; csrf: string; idHash: string }>;
  createApp(fields: Partial<Parameters<SamlRuntime['apps']['create']>[1]>): Promise<SamlApplication>;
  close(): Promise<void>;
}

export const startSamlTestbed = async (now?: () => Date): Promise<SamlTestbed> => {
  const s = await startTestServer({ KEYWAY_BASE_URL: BASE }, now ? { now } : {});
  const rt = createSamlRuntimeFrom({ config: s.config, store: s.store, ...(now ? { now } : {}) });
  const dir = s.store.directory;
  const allowed = await dir.createGroup(actor, { displayName: 'wiki-users' });
  const team = await dir.createGroup(actor, { displayName: 'team <&> "quotes"' });
  await dir.addMember(actor, allowed.id, { kind: 'group', id: team.id });
  const member = await dir.createUser(actor, {
    userName: 'ada',
    displayName: 'Ada',
    emails: [{ value: 'ada@example.org', primary: true }],
  });
  await dir.addMember(actor, team.id, { kind: 'user', id: member.id });
  const outsider = await dir.createUser(actor, { userName: 'eve' });
  return {
    s,
    rt,
    allowed,
    member,
    outsider,
    async session(user, authMethods = ['pwd']) {
      const { id, idHash, csrfSecret: csrf } = newSessionSecrets();
      const at = (now ?? (() => new Date()))();
      await s.store.sessions.create({
        idHash,
        userId: user.id,
        createdAt: at.toISOString(),
        lastSeenAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + 3_600_000).toISOString(),
        authMethods,
        csrfSecret: csrf,
        data: {},
      });
      return { cookie: `${sessionCookieName(s.config)}=${id}`, csrf, idHash };
    },
    createApp: (fields) =>
      rt.apps.create(actor, {
        name: 'Wiki',
        entityId: 'https://sp.test/metadata',
        acs: [{ url: 'https://sp.test/acs' }],
        allowedGroupIds: [allowed.id],
        ...fields,
      }),
    close: () => s.close(),
  };
};

/** The hidden fields of Keyway's auto-posting form. */
export const formFields = (html: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([A-Za-z]+)" value="([^"]*)">/g)) {
    out[m[1] ?? ''] = (m[2] ?? '')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return out;
};

export const formAction = (html: string): string | undefined =>
  /<form id="saml-post" method="post" action="([^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');

export const decodeResponse = (html: string): string =>
  Buffer.from(formFields(html).SAMLResponse ?? '', 'base64').toString('utf8');
