/**
 * DEMO SEEDING ONLY — not Keyway's provisioning engine (that arrives with the provisioning issue). Pushes the demo
 * organisation's users and groups into the emulated IAM Identity Center over its SCIM endpoint with plain HTTP, so
 * the Pattern B tour has people to sign in as. Identity Center requires the SAML NameID to equal the SCIM
 * `userName` exactly, and Keyway's Identity Center app sends the primary email, so `userName` is the email.
 * Identity Center has no nested groups: a group is pushed with its effective (flattened) user members.
 * Idempotent: users are created when missing; group members are added and removed until they match.
 */
import type { Store } from '../store/index.js';

export interface ScimSeedResult {
  readonly usersCreated: number;
  readonly groupsCreated: number;
  readonly membersAdded: number;
  readonly membersRemoved: number;
  /** Identity Center group id by display name, for every pushed group. */
  readonly groupIds: ReadonlyMap<string, string>;
  /** Identity Center userName of every pushed user. */
  readonly userNames: readonly string[];
}

interface ScimResource {
  readonly id: string;
  readonly userName?: string;
  readonly displayName?: string;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Identity Center's page size maximum. */
const PAGE = 100;
const MAX_PAGES = 50;
const MAX_RETRIES = 5;

export class ScimSeedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScimSeedError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Identity Center throttles SCIM; back off (Retry-After when given, else 1 s) a bounded number of times. */
async function scimCall(
  endpoint: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${endpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 429 && attempt < MAX_RETRIES) {
      const after = Number(res.headers.get('retry-after'));
      await res.body?.cancel();
      await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 1000);
      continue;
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 300);
      try {
        detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? detail);
      } catch {
        // not JSON: keep the raw start of the body
      }
      throw new ScimSeedError(res.status, `SCIM ${method} ${path} → ${res.status}: ${detail}`);
    }
    return text === '' ? null : JSON.parse(text);
  }
}

async function listAll(endpoint: string, token: string, path: string, filter?: string): Promise<ScimResource[]> {
  const out: ScimResource[] = [];
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = new URLSearchParams({ count: String(PAGE), cursor, ...(filter ? { filter } : {}) });
    const body = (await scimCall(endpoint, token, 'GET', `${path}?${q}`)) as {
      Resources?: ScimResource[];
      nextCursor?: string;
    };
    out.push(...(body.Resources ?? []));
    if (!body.nextCursor) return out;
    cursor = body.nextCursor;
  }
  throw new ScimSeedError(500, `SCIM ${path}: more than ${MAX_PAGES} pages`);
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Pushes the Keyway groups named in `groupNames` (those that exist) and every active user with a primary email
 * who is an effective member of one of them.
 */
export async function seedIdentityCenterOverScim(input: {
  readonly store: Store;
  readonly endpoint: string;
  readonly token: string;
  readonly groupNames: readonly string[];
  readonly log: (line: string) => void;
}): Promise<ScimSeedResult> {
  const { store, endpoint, token, log } = input;
  const dir = store.directory;
  const groups = (await Promise.all(input.groupNames.map((n) => dir.findGroupByDisplayName(n)))).filter(
    (g) => g !== null,
  );
  const wanted = new Set(groups.map((g) => g.id));

  // Keyway side: who belongs where (effective membership, because Identity Center groups are flat).
  const members = new Map<string, Set<string>>(groups.map((g) => [g.displayName, new Set<string>()]));
  const pushed: { userName: string; keywayId: string; givenName: string; familyName: string; displayName: string }[] =
    [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const batch = await dir.listUsers({ limit: 500, ...(cursor ? { cursor } : {}) });
    for (const u of batch.items) {
      if (u.status !== 'active') continue;
      const inGroups = (await dir.effectiveGroupsOfUser(u.id)).filter((g) => wanted.has(g.id));
      if (inGroups.length === 0) continue;
      const email = u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value;
      if (!email) {
        log(`Identity Center: ${u.userName} has no email, so no Identity Center userName; not pushed`);
        continue;
      }
      pushed.push({
        userName: email,
        keywayId: u.id,
        givenName: u.givenName ?? u.userName,
        familyName: u.familyName ?? u.userName,
        displayName: u.displayName ?? u.userName,
      });
      for (const g of inGroups) members.get(g.displayName)?.add(email.toLowerCase());
    }
    cursor = batch.nextCursor ?? undefined;
    if (!cursor) break;
  }

  // Identity Center side.
  const existingUsers = new Map(
    (await listAll(endpoint, token, '/Users')).map((u) => [(u.userName ?? '').toLowerCase(), u.id]),
  );
  let usersCreated = 0;
  for (const u of pushed) {
    if (existingUsers.has(u.userName.toLowerCase())) continue;
    const created = (await scimCall(endpoint, token, 'POST', '/Users', {
      schemas: [USER],
      userName: u.userName,
      externalId: u.keywayId,
      name: { givenName: u.givenName, familyName: u.familyName },
      displayName: u.displayName,
      emails: [{ value: u.userName, type: 'work', primary: true }],
      active: true,
    })) as ScimResource;
    existingUsers.set(u.userName.toLowerCase(), created.id);
    usersCreated++;
  }

  const existingGroups = new Map(
    (await listAll(endpoint, token, '/Groups')).map((g) => [(g.displayName ?? '').toLowerCase(), g.id]),
  );
  const groupIds = new Map<string, string>();
  let groupsCreated = 0;
  let membersAdded = 0;
  let membersRemoved = 0;
  for (const g of groups) {
    const want = [...(members.get(g.displayName) ?? [])]
      .map((n) => existingUsers.get(n))
      .filter((id): id is string => id !== undefined);
    const id = existingGroups.get(g.displayName.toLowerCase());
    if (id === undefined) {
      const created = (await scimCall(endpoint, token, 'POST', '/Groups', {
        schemas: [GROUP],
        displayName: g.displayName,
        externalId: g.id,
        members: want.map((value) => ({ value })),
      })) as ScimResource;
      groupIds.set(g.displayName, created.id);
      groupsCreated++;
      membersAdded += want.length;
      continue;
    }
    groupIds.set(g.displayName, id);
    // A group's GET always shows no members in Identity Center; the users filter on groups.value tells them.
    const have = new Set((await listAll(endpoint, token, '/Users', `groups.value eq ${quote(id)}`)).map((u) => u.id));
    const add = want.filter((m) => !have.has(m));
    const remove = [...have].filter((m) => !want.includes(m));
    if (add.length === 0 && remove.length === 0) continue;
    const Operations = [
      ...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []),
      ...(remove.length ? [{ op: 'remove', path: 'members', value: remove.map((value) => ({ value })) }] : []),
    ];
    await scimCall(endpoint, token, 'PATCH', `/Groups/${encodeURIComponent(id)}`, { schemas: [PATCH], Operations });
    membersAdded += add.length;
    membersRemoved += remove.length;
  }
  return {
    usersCreated,
    groupsCreated,
    membersAdded,
    membersRemoved,
    groupIds,
    userNames: pushed.map((u) => u.userName),
  };
}
