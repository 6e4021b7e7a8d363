/** TypeBox schemas of /api/v1/apps and /api/v1/keys; they validate requests and feed the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Cert = Type.String({ minLength: 1, maxLength: 20000, description: 'X.509 certificate, PEM or base64 DER' });
const NameIdFormat = Type.Union(
  [Type.Literal('persistent'), Type.Literal('emailAddress'), Type.Literal('unspecified'), Type.Literal('transient')],
  {
    description:
      'persistent: stable opaque per-app id; emailAddress; unspecified (e.g. userName); transient: new each sign-in',
  },
);
const Source = Type.String({
  minLength: 1,
  maxLength: 1100,
  description:
    'user.id|userName|email|emails|givenName|familyName|displayName|externalId, user.attributes.<key>, groups (effective, nested included), groups.direct, groups.ids, persistentId, static:<text>',
});
const NameFormat = Type.Union([Type.Literal('basic'), Type.Literal('uri'), Type.Literal('unspecified')]);

const AttributeIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 1024, description: 'SAML Attribute Name, e.g. memberOf' }),
    nameFormat: Type.Optional(NameFormat),
    friendlyName: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
    source: Source,
    filterPrefix: Type.Optional(
      Nullable(Type.String({ maxLength: 256, description: 'Keep only values starting with this' })),
    ),
    required: Type.Optional(Type.Boolean({ description: 'Refuse sign-in when the user has no value' })),
  },
  closed,
);
const AcsIn = Type.Object(
  {
    url: Url,
    index: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    isDefault: Type.Optional(Type.Boolean()),
  },
  closed,
);
const SloIn = Type.Object(
  {
    url: Url,
    binding: Type.Optional(Type.Union([Type.Literal('HTTP-Redirect'), Type.Literal('HTTP-POST')])),
    responseUrl: Type.Optional(Nullable(Url)),
  },
  closed,
);

const appFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  enabled: Type.Optional(Type.Boolean()),
  entityId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 1024, description: 'The SP entityID (Issuer of its AuthnRequests)' }),
  ),
  acs: Type.Optional(Type.Array(AcsIn, { minItems: 1, maxItems: 32 })),
  slo: Type.Optional(Nullable(SloIn)),
  signingCertificates: Type.Optional(Type.Array(Cert, { maxItems: 4 })),
  encryptionCertificate: Type.Optional(Nullable(Cert)),
  requireSignedRequests: Type.Optional(
    Type.Boolean({ description: 'Refuse AuthnRequests and LogoutRequests without a valid signature' }),
  ),
  nameIdFormat: Type.Optional(NameIdFormat),
  nameIdSource: Type.Optional(Source),
  attributes: Type.Optional(Type.Array(AttributeIn, { maxItems: 100 })),
  signResponse: Type.Optional(Type.Boolean()),
  signAssertion: Type.Optional(Type.Boolean()),
  allowSha1: Type.Optional(Type.Boolean({ description: 'Accept SHA-1 signatures from this SP (off by default)' })),
  sessionDurationSeconds: Type.Optional(Type.Integer({ minimum: 300, maximum: 604800 })),
  allowedGroupIds: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      maxItems: 1000,
      description: 'Members (direct or nested) of these groups may use the app',
    }),
  ),
  defaultRelayState: Type.Optional(Nullable(Type.String({ maxLength: 80 }))),
  settings: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'Settings of the application type' }),
  ),
};

export const NewAppBody = Type.Object(
  {
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Application type; default saml' })),
    metadataXml: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 262144,
        description: 'SP metadata (EntityDescriptor); fields given beside it win',
      }),
    ),
    ...appFields,
  },
  closed,
);
export type NewAppBody = Static<typeof NewAppBody>;

export const AppPatchBody = Type.Object(
  { metadataXml: NewAppBody.properties.metadataXml, ...appFields },
  { ...closed, minProperties: 1 },
);
export type AppPatchBody = Static<typeof AppPatchBody>;

export const App = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    enabled: Type.Boolean(),
    entityId: Type.String(),
    acs: Type.Array(Type.Object({ url: Type.String(), index: Type.Integer(), isDefault: Type.Boolean() }, closed)),
    slo: Nullable(
      Type.Object({ url: Type.String(), binding: Type.String(), responseUrl: Nullable(Type.String()) }, closed),
    ),
    signingCertificates: Type.Array(Type.String()),
    encryptionCertificate: Nullable(Type.String()),
    requireSignedRequests: Type.Boolean(),
    nameIdFormat: NameIdFormat,
    nameIdSource: Type.String(),
    attributes: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          nameFormat: NameFormat,
          friendlyName: Nullable(Type.String()),
          source: Type.String(),
          filterPrefix: Nullable(Type.String()),
          required: Type.Boolean(),
        },
        closed,
      ),
    ),
    signResponse: Type.Boolean(),
    signAssertion: Type.Boolean(),
    allowSha1: Type.Boolean(),
    sessionDurationSeconds: Type.Integer(),
    allowedGroupIds: Type.Array(Type.String()),
    defaultRelayState: Nullable(Type.String()),
    settings: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
    links: Type.Object({ idpMetadata: Type.String(), idpInitiatedSso: Type.String() }, closed),
  },
  closed,
);

export const AppQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({ maxLength: 256, description: 'Case-insensitive prefix of the name, or prefix of the entity ID' }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  closed,
);
export type AppQuery = Static<typeof AppQuery>;

export const Key = Type.Object(
  {
    id: Type.String(),
    state: Type.Union([
      Type.Literal('next'),
      Type.Literal('current'),
      Type.Literal('previous'),
      Type.Literal('retired'),
    ]),
    algorithm: Type.String(),
    bits: Type.Integer(),
    fingerprint: Type.String({ description: 'SHA-256 of the certificate' }),
    certificatePem: Type.String(),
    notAfter: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    activatedAt: Nullable(Type.String({ format: 'date-time' })),
    retiredAt: Nullable(Type.String({ format: 'date-time' })),
  },
  closed,
);

export const TestSignInBody = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 256, description: 'userName or id' }),
    authMethods: Type.Optional(
      Type.Array(Type.String({ maxLength: 32 }), {
        maxItems: 5,
        description: "How the user would have signed in, e.g. ['pwd','otp']",
      }),
    ),
  },
  closed,
);
export type TestSignInBody = Static<typeof TestSignInBody>;

export const TestSignInResult = Type.Object(
  {
    user: Type.String(),
    app: Type.String(),
    allowed: Type.Boolean(),
    problems: Type.Array(Type.String()),
    grantingGroups: Type.Array(Type.String()),
    acsUrl: Nullable(Type.String()),
    content: Nullable(
      Type.Object(
        {
          nameId: Type.String(),
          nameIdFormat: Type.String(),
          attributes: Type.Array(
            Type.Object(
              {
                name: Type.String(),
                nameFormat: Type.String(),
                friendlyName: Nullable(Type.String()),
                values: Type.Array(Type.String()),
              },
              closed,
            ),
          ),
        },
        closed,
      ),
    ),
    responseXml: Nullable(Type.String()),
  },
  closed,
);
