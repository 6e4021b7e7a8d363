/**
 * The organisation's account tree as Organizations owns it: seeded from the world file, then changed by
 * CreateAccount, MoveAccount, the OU writes and tagging, and kept in the state store (so `--state` keeps it
 * across restarts). Every account sits in exactly one parent; an OU can be deleted only when empty.
 *
 * CreateAccount is asynchronous in AWS. Here a request stays IN_PROGRESS for `createAccountDelayMs` and is
 * settled by the first read after that (no timers), so tests with an injected clock see both states.
 */
import { randomBytes } from 'node:crypto';
import { AwsServiceError } from '../http/contract.js';
import type { AccountDirectory, StateStore } from '../world-contract.js';
import type { World, WorldAccessKey, WorldAccount, WorldOu } from '../world/world.js';
import { defaultAccessKey } from '../world/world.js';

const ACCOUNTS = 'org.accounts';
const OUS = 'org.ous';
const REQUESTS = 'org.create-account';
const META = 'org.meta';

export interface CreateAccountRequest {
  readonly id: string;
  readonly accountName: string;
  readonly email: string;
  readonly roleName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly requestedAt: number;
  readonly completesAt: number;
  readonly completedAt?: number;
  readonly accountId?: string;
  readonly failureReason?: string;
}

/** What Organizations does to IAM when an account is created: AWS creates the access role in it. */
export type AccountCreatedHook = (accountId: string, roleName: string) => void;

export function orgError(code: string, message: string, extra: Record<string, unknown> = {}): AwsServiceError {
  return new AwsServiceError(code, message, 400, 'Sender', { Message: message, ...extra });
}

function randomLower(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class OrganizationStore implements AccountDirectory {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly region: string;
  readonly rootId: string;
  readonly featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  private readonly accounts = new Map<string, WorldAccount>();
  private readonly ous = new Map<string, WorldOu>();
  private rootTags: Readonly<Record<string, string>>;
  private readonly keys = new Map<string, { accountId: string; key: WorldAccessKey }>();
  /** CreateAccount requests still IN_PROGRESS, so reads check the clock without touching the state store. */
  private pending: CreateAccountRequest[];

  constructor(
    world: World,
    private readonly state: StateStore,
    private readonly now: () => number,
    private readonly createAccountDelayMs: number,
    private readonly onAccountCreated: AccountCreatedHook,
  ) {
    this.organizationId = world.organizationId;
    this.managementAccountId = world.managementAccountId;
    this.region = world.region;
    this.rootId = world.rootId;
    this.featureSet = world.featureSet;
    const seeded = state.get<{ rootTags: Record<string, string> }>(META, 'root');
    this.pending = state.list<CreateAccountRequest>(REQUESTS).filter((r) => r.state === 'IN_PROGRESS');
    if (seeded) {
      this.rootTags = seeded.rootTags;
      for (const a of state.list<WorldAccount>(ACCOUNTS)) this.remember(a);
      for (const ou of state.list<WorldOu>(OUS)) this.ous.set(ou.id, ou);
    } else {
      this.rootTags = world.rootTags;
      state.transaction(() => {
        state.put(META, 'root', { rootTags: world.rootTags });
        for (const ou of world.organizationalUnits) this.saveOu(ou);
        for (const a of world.worldAccounts) this.saveAccount(a);
      });
    }
  }

  private remember(a: WorldAccount): void {
    this.accounts.set(a.id, a);
    for (const key of a.accessKeys) this.keys.set(key.accessKeyId, { accountId: a.id, key });
  }

  private saveAccount(a: WorldAccount): WorldAccount {
    this.state.put(ACCOUNTS, a.id, a);
    this.remember(a);
    return a;
  }

  private saveOu(ou: WorldOu): WorldOu {
    this.state.put(OUS, ou.id, ou);
    this.ous.set(ou.id, ou);
    return ou;
  }

  // ---- reads (AccountDirectory and Organizations) ----

  listAccounts(): readonly WorldAccount[] {
    this.settle();
    return [...this.accounts.values()];
  }

  getAccount(id: string): WorldAccount | undefined {
    this.settle();
    return this.accounts.get(id);
  }

  accountExists(id: string): boolean {
    return this.getAccount(id) !== undefined;
  }

  /** The long-term key with this id and the account it belongs to (SigV4 lookup). */
  rootKey(accessKeyId: string): { accountId: string; key: WorldAccessKey } | undefined {
    this.settle();
    return this.keys.get(accessKeyId);
  }

  organizationalUnits(): readonly WorldOu[] {
    return [...this.ous.values()];
  }

  getOu(id: string): WorldOu | undefined {
    return this.ous.get(id);
  }

  hasParent(id: string): boolean {
    return id === this.rootId || this.ous.has(id);
  }

  getRootTags(): Readonly<Record<string, string>> {
    return this.rootTags;
  }

  /** `o-…/r-…/ou-…/…/` for a parent, as the Paths members show it. */
  pathOf(parentId: string): string {
    const chain: string[] = [];
    for (let id: string | undefined = parentId, guard = 0; id && id !== this.rootId && guard < 1000; guard++) {
      chain.unshift(id);
      id = this.ous.get(id)?.parentId;
    }
    return `${this.organizationId}/${this.rootId}/${chain.map((c) => `${c}/`).join('')}`;
  }

  // ---- CreateAccount ----

  createAccount(input: {
    accountName: string;
    email: string;
    roleName: string;
    tags: Readonly<Record<string, string>>;
  }): CreateAccountRequest {
    const at = this.now();
    const request: CreateAccountRequest = {
      id: `car-${randomLower(32)}`,
      ...input,
      state: 'IN_PROGRESS',
      requestedAt: at,
      completesAt: at + this.createAccountDelayMs,
    };
    this.state.put(REQUESTS, request.id, request);
    this.pending.push(request);
    this.settle();
    return this.state.get<CreateAccountRequest>(REQUESTS, request.id) as CreateAccountRequest;
  }

  createAccountStatus(id: string): CreateAccountRequest | undefined {
    this.settle();
    return this.state.get<CreateAccountRequest>(REQUESTS, id);
  }

  createAccountStatuses(): CreateAccountRequest[] {
    this.settle();
    return this.state.list<CreateAccountRequest>(REQUESTS).sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /** Completes every CreateAccount request whose time has come. */
  private settle(): void {
    if (this.pending.length === 0) return;
    const t = this.now();
    const due = this.pending.filter((r) => r.completesAt <= t);
    if (due.length === 0) return;
    this.pending = this.pending.filter((r) => r.completesAt > t);
    for (const r of due) this.complete(r, t);
  }

  private complete(r: CreateAccountRequest, at: number): void {
    this.state.transaction(() => {
      const taken = [...this.accounts.values()].some((a) => a.email.toLowerCase() === r.email.toLowerCase());
      if (taken) {
        this.state.put(REQUESTS, r.id, {
          ...r,
          state: 'FAILED',
          completedAt: at,
          failureReason: 'EMAIL_ALREADY_EXISTS',
        });
        return;
      }
      let id: string;
      do id = String(100_000_000_000 + (randomBytes(6).readUIntBE(0, 6) % 900_000_000_000));
      while (this.accounts.has(id));
      this.saveAccount({
        id,
        name: r.accountName,
        email: r.email,
        status: 'ACTIVE',
        parentId: this.rootId,
        tags: { ...r.tags },
        joinedMethod: 'CREATED',
        joinedTimestamp: at,
        accessKeys: [defaultAccessKey(id)],
      });
      this.onAccountCreated(id, r.roleName);
      this.state.put(REQUESTS, r.id, { ...r, state: 'SUCCEEDED', completedAt: at, accountId: id });
    });
  }

  // ---- tree writes ----

  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): void {
    const account = this.getAccount(accountId);
    if (!account) throw orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
    if (!this.hasParent(sourceParentId))
      throw orgError(
        'SourceParentNotFoundException',
        "We can't find a source root or OU with the ParentId that you specified.",
      );
    if (!this.hasParent(destinationParentId))
      throw orgError(
        'DestinationParentNotFoundException',
        "We can't find the destination container (a root or OU) with the ParentId that you specified.",
      );
    if (account.parentId !== sourceParentId)
      throw orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
    if (account.parentId === destinationParentId)
      throw orgError('DuplicateAccountException', 'That account is already present in the specified destination.');
    this.state.transaction(() => this.saveAccount({ ...account, parentId: destinationParentId }));
  }

  createOu(parentId: string, name: string, tags: Readonly<Record<string, string>>): WorldOu {
    if (!this.hasParent(parentId))
      throw orgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
    this.checkOuNameFree(parentId, name);
    let depth = 1;
    for (let id = parentId; id !== this.rootId; id = this.ous.get(id)?.parentId ?? this.rootId) depth++;
    // Organizations quotas: OUs nest at most five levels below the root.
    if (depth > 5)
      throw orgError('ConstraintViolationException', 'You have reached the maximum OU depth.', {
        Reason: 'OU_DEPTH_LIMIT_EXCEEDED',
      });
    let id: string;
    do id = `ou-${this.rootId.slice(2)}-${randomLower(8)}`;
    while (this.ous.has(id));
    return this.state.transaction(() => this.saveOu({ id, name, parentId, tags: { ...tags } }));
  }

  updateOu(id: string, name: string | undefined): WorldOu {
    const ou = this.requireOu(id);
    if (name === undefined || name === ou.name) return ou;
    this.checkOuNameFree(ou.parentId, name);
    return this.state.transaction(() => this.saveOu({ ...ou, name }));
  }

  deleteOu(id: string): void {
    const ou = this.requireOu(id);
    this.settle();
    const hasChildren =
      [...this.accounts.values()].some((a) => a.parentId === id) ||
      [...this.ous.values()].some((o) => o.parentId === id);
    if (hasChildren)
      throw orgError(
        'OrganizationalUnitNotEmptyException',
        'The specified OU is not empty. Move all accounts to another root or OU and remove all child OUs, then try the operation again.',
      );
    this.state.transaction(() => {
      this.state.delete(OUS, ou.id);
      this.ous.delete(ou.id);
    });
  }

  requireOu(id: string): WorldOu {
    const ou = this.ous.get(id);
    if (!ou)
      throw orgError(
        'OrganizationalUnitNotFoundException',
        "We can't find an OU with the OrganizationalUnitId that you specified.",
      );
    return ou;
  }

  private checkOuNameFree(parentId: string, name: string): void {
    if ([...this.ous.values()].some((o) => o.parentId === parentId && o.name === name))
      throw orgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
  }

  // ---- tags ----

  tagsOf(resourceId: string): Readonly<Record<string, string>> | undefined {
    if (resourceId === this.rootId) return this.rootTags;
    if (/^\d{12}$/.test(resourceId)) return this.getAccount(resourceId)?.tags;
    return this.ous.get(resourceId)?.tags;
  }

  setTags(resourceId: string, tags: Readonly<Record<string, string>>): void {
    this.state.transaction(() => {
      if (resourceId === this.rootId) {
        this.rootTags = { ...tags };
        this.state.put(META, 'root', { rootTags: this.rootTags });
      } else if (/^\d{12}$/.test(resourceId)) {
        const a = this.accounts.get(resourceId);
        if (a) this.saveAccount({ ...a, tags: { ...tags } });
      } else {
        const ou = this.ous.get(resourceId);
        if (ou) this.saveOu({ ...ou, tags: { ...tags } });
      }
    });
  }
}
