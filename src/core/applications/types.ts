import type { AuditEventInput } from '../audit/types.js';
import type { Group, Page, PageRequest, User } from '../directory/types.js';

/** NameID formats Keyway issues (SAML core 8.3). */
export type NameIdFormat = 'persistent' | 'emailAddress' | 'unspecified' | 'transient';

/**
 * Where a value comes from, as a small expression (so the CLI and API share one syntax):
 * `user.id`, `user.userName`, `user.email` (primary), `user.emails` (all), `user.givenName`, `user.familyName`,
 * `user.displayName`, `user.externalId`, `user.attributes.<key>`, `groups` (effective group names, nested
 * included), `groups.direct`, `groups.ids`, `persistentId` (stable opaque per-app id), `static:<text>`.
 */
export type ValueSource = string;

export interface AttributeMapping {
  /** SAML Attribute Name, e.g. `memberOf` or `https://aws.amazon.com/SAML/Attributes/RoleSessionName`. */
  readonly name: string;
  /** Attribute NameFormat: `basic`, `uri` or `unspecified` (SAML core 8.2). */
  readonly nameFormat: 'basic' | 'uri' | 'unspecified';
  readonly friendlyName: string | null;
  readonly source: ValueSource;
  /** Only values matching this prefix (for `groups…` sources); the prefix is kept. */
  readonly filterPrefix: string | null;
  /** When the source yields nothing the attribute is omitted, unless required (then sign-in is refused). */
  readonly required: boolean;
}

export interface AcsEndpoint {
  readonly url: string;
  readonly index: number;
  readonly isDefault: boolean;
}

export interface SloEndpoint {
  readonly url: string;
  readonly binding: 'HTTP-Redirect' | 'HTTP-POST';
  /** Where LogoutResponses go when different from `url` (SAML metadata ResponseLocation). */
  readonly responseUrl: string | null;
}

export interface SamlApplication {
  readonly id: string;
  /** Application type id (`saml` for generic apps); selects the type's defaults, settings and attribute providers. */
  readonly type: string;
  readonly name: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly entityId: string;
  readonly acs: readonly AcsEndpoint[];
  readonly slo: SloEndpoint | null;
  /** SP signing certificates (base64 DER, no PEM armour), used to verify AuthnRequests and LogoutRequests. */
  readonly signingCertificates: readonly string[];
  readonly encryptionCertificate: string | null;
  readonly requireSignedRequests: boolean;
  readonly nameIdFormat: NameIdFormat;
  readonly nameIdSource: ValueSource;
  readonly attributes: readonly AttributeMapping[];
  readonly signResponse: boolean;
  readonly signAssertion: boolean;
  /** SHA-1 is refused for inbound signatures unless this is set (docs/security.md, SAML rule 3). */
  readonly allowSha1: boolean;
  readonly sessionDurationSeconds: number;
  /** Empty means nobody may use the app (deny by default). Matched against effective (nested) membership. */
  readonly allowedGroupIds: readonly string[];
  readonly defaultRelayState: string | null;
  /** Type-specific settings, validated by the application type. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Random per-app secret that keys persistent NameIDs; never leaves the server. */
  readonly persistentIdSecret: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** Fields an admin supplies; everything optional has a documented default (see validate.ts). */
export interface SamlApplicationInput {
  readonly type?: string;
  readonly name?: string;
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly entityId?: string;
  readonly acs?: readonly { url: string; index?: number; isDefault?: boolean }[];
  readonly slo?: { url: string; binding?: 'HTTP-Redirect' | 'HTTP-POST'; responseUrl?: string | null } | null;
  readonly signingCertificates?: readonly string[];
  readonly encryptionCertificate?: string | null;
  readonly requireSignedRequests?: boolean;
  readonly nameIdFormat?: NameIdFormat;
  readonly nameIdSource?: ValueSource;
  readonly attributes?: readonly {
    name: string;
    nameFormat?: 'basic' | 'uri' | 'unspecified';
    friendlyName?: string | null;
    source: ValueSource;
    filterPrefix?: string | null;
    required?: boolean;
  }[];
  readonly signResponse?: boolean;
  readonly signAssertion?: boolean;
  readonly allowSha1?: boolean;
  readonly sessionDurationSeconds?: number;
  readonly allowedGroupIds?: readonly string[];
  readonly defaultRelayState?: string | null;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface ApplicationQuery extends PageRequest {
  readonly search?: string;
}

/** Storage of applications; every write commits its audit record in the same transaction. */
export interface ApplicationStore {
  list(query: ApplicationQuery): Promise<Page<SamlApplication>>;
  get(id: string): Promise<SamlApplication | null>;
  /** Entity IDs are unique (exact match): one SP, one application. */
  findByEntityId(entityId: string): Promise<SamlApplication | null>;
  /** Every enabled application (for the portal); small by nature. */
  listEnabled(): Promise<readonly SamlApplication[]>;
  /** DomainError('conflict') when the entity ID is taken. */
  insert(app: SamlApplication, audit: AuditEventInput): Promise<void>;
  /** DomainError('conflict') when the stored version is not `expectedVersion`. */
  update(app: SamlApplication, expectedVersion: number, audit: AuditEventInput): Promise<void>;
  delete(id: string, audit: AuditEventInput): Promise<boolean>;
}

/** A SAML attribute as it goes into the assertion. */
export interface SamlAttributeValue {
  readonly name: string;
  readonly nameFormat: 'basic' | 'uri' | 'unspecified';
  readonly friendlyName: string | null;
  readonly values: readonly string[];
}

/** What an attribute provider sees at sign-in. Everything the sign-in may read, and nothing more. */
export interface SignInContext {
  readonly app: SamlApplication;
  readonly user: User;
  readonly effectiveGroups: readonly Group[];
  readonly directGroups: readonly Group[];
  /** From the session: e.g. ['pwd'] or ['pwd','otp']. */
  readonly authMethods: readonly string[];
  readonly now: Date;
}

/**
 * Supplies attributes computed at sign-in (e.g. the AWS Role attribute from group bindings). It may refuse
 * the sign-in by throwing DomainError('forbidden', <message shown to the user>).
 */
export interface AttributeProvider {
  readonly name: string;
  provide(ctx: SignInContext): Promise<readonly SamlAttributeValue[]>;
}

/**
 * An application type: generic `saml`, or a connector such as `aws-iam`. Registered in the composition root.
 * A type can fill defaults (AWS's entity ID and ACS), validate its own `settings`, and add attributes at sign-in.
 */
export interface ApplicationType {
  readonly id: string;
  readonly label: string;
  /** Applied under the admin's input on create (admin fields win). */
  defaults?(): SamlApplicationInput;
  /** Returns normalised settings or throws DomainError('invalid_input') with problems under `settings.*`. */
  validateSettings?(settings: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  readonly attributeProviders: readonly AttributeProvider[];
  /**
   * The type shows its own portal tile (e.g. AWS IAM: role count, launch to its sign-in URL); the generic SAML tile
   * skips its apps.
   */
  readonly ownPortalTile?: boolean;
}

/** The assertion content decided for one sign-in. */
export interface AssertionContent {
  readonly nameId: string;
  readonly nameIdFormat: NameIdFormat;
  readonly attributes: readonly SamlAttributeValue[];
}
