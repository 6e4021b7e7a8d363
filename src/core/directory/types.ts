export type UserStatus = 'active' | 'suspended';

export interface Email {
  readonly value: string;
  readonly type?: string;
  readonly primary?: boolean;
}

/** Custom attributes are flat string-valued maps (multi-valued as string arrays), never nested objects. */
export type CustomAttributes = Readonly<Record<string, string | readonly string[]>>;

export interface User {
  readonly id: string;
  /** Unique case-insensitively; stored as given. */
  readonly userName: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly displayName: string | null;
  readonly emails: readonly Email[];
  readonly externalId: string | null;
  readonly status: UserStatus;
  readonly attributes: CustomAttributes;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Incremented on every change; used for optimistic concurrency and SCIM ETags. */
  readonly version: number;
}

export interface NewUser {
  readonly userName: string;
  readonly givenName?: string | null;
  readonly familyName?: string | null;
  readonly displayName?: string | null;
  readonly emails?: readonly Email[];
  readonly externalId?: string | null;
  readonly status?: UserStatus;
  readonly attributes?: CustomAttributes;
}

export type UserPatch = Partial<Omit<NewUser, 'status'>>;

export interface Group {
  readonly id: string;
  /** Unique case-insensitively. */
  readonly displayName: string;
  readonly description: string | null;
  readonly externalId: string | null;
  readonly attributes: CustomAttributes;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface NewGroup {
  readonly displayName: string;
  readonly description?: string | null;
  readonly externalId?: string | null;
  readonly attributes?: CustomAttributes;
}

export type GroupPatch = Partial<NewGroup>;

export type Member = { readonly kind: 'user'; readonly id: string } | { readonly kind: 'group'; readonly id: string };

export interface PageRequest {
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
  /** 1..500, default 50. */
  readonly limit?: number;
  /**
   * Count every match into `total` (default: on the first page only). Counting reads the whole result, so a
   * client paging through a large directory asks for it once rather than with every page.
   */
  readonly count?: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Present when more items follow. */
  readonly nextCursor?: string;
  /** The number of matches over all pages; present when counted (see PageRequest.count). */
  readonly total?: number;
}

export interface UserQuery extends PageRequest {
  /** Exact match, case-insensitive. */
  readonly userName?: string;
  /** Case-insensitive prefix match on userName, displayName or email. */
  readonly search?: string;
  readonly status?: UserStatus;
}

export interface GroupQuery extends PageRequest {
  /** Exact match, case-insensitive. */
  readonly displayName?: string;
  readonly search?: string;
}
