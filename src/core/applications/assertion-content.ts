import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import type { Group } from '../directory/types.js';
import type { ApplicationTypeRegistry } from './app-types.js';
import type { AssertionContent, SamlApplication, SamlAttributeValue, SignInContext } from './types.js';
import { evaluateSource, isXmlSafe } from './sources.js';

/** Deny by default: an app with no allowed groups is usable by nobody; nested membership counts. */
export const mayUse = (app: SamlApplication, effectiveGroups: readonly Group[]): boolean =>
  app.enabled && effectiveGroups.some((g) => app.allowedGroupIds.includes(g.id));

const MAX_VALUES = 1000;

/**
 * Frozen value lists already found acceptable. A provider may hand out the same frozen list on every sign-in
 * (the remembered Role values of a user in 50 groups), which is then checked once rather than each time.
 */
const checkedLists = new WeakSet<readonly string[]>();

const checkValues = (attr: string, values: readonly string[]): void => {
  if (checkedLists.has(values)) return;
  if (values.length > MAX_VALUES)
    throw new DomainError('invalid_input', `attribute ${attr} has more than ${MAX_VALUES} values`);
  for (const v of values) {
    if (!isXmlSafe(v))
      throw new DomainError('invalid_input', `attribute ${attr} has a value with characters XML cannot carry`);
  }
  if (Object.isFrozen(values)) checkedLists.add(values);
};

/**
 * Decides the NameID and attributes for one sign-in: the admin's mappings first, then each attribute provider
 * of the app's type. A provider's attribute replaces a mapped one of the same name (the connector knows better).
 */
export const resolveAssertionContent = async (
  ctx: SignInContext,
  types: ApplicationTypeRegistry,
): Promise<AssertionContent> => {
  const { app } = ctx;
  const nameId =
    app.nameIdFormat === 'transient' ? `_${randomBytes(20).toString('hex')}` : evaluateSource(app.nameIdSource, ctx)[0];
  if (!nameId) {
    throw new DomainError(
      'forbidden',
      `your account has no value for ${app.nameIdSource}, which ${app.name} needs as your SAML NameID; ask an administrator to fill it in`,
    );
  }
  checkValues('NameID', [nameId]);
  const out = new Map<string, SamlAttributeValue>();
  for (const m of app.attributes) {
    let values = evaluateSource(m.source, ctx);
    if (m.filterPrefix !== null) values = values.filter((v) => v.startsWith(m.filterPrefix as string));
    if (values.length === 0) {
      if (m.required)
        throw new DomainError(
          'forbidden',
          `your account has no value for ${m.source}, which ${app.name} requires as ${m.name}`,
        );
      continue;
    }
    checkValues(m.name, values);
    out.set(m.name, { name: m.name, nameFormat: m.nameFormat, friendlyName: m.friendlyName, values });
  }
  for (const provider of types.get(app.type).attributeProviders) {
    for (const a of await provider.provide(ctx)) {
      checkValues(a.name, a.values);
      out.set(a.name, a);
    }
  }
  return { nameId, nameIdFormat: app.nameIdFormat, attributes: [...out.values()] };
};
