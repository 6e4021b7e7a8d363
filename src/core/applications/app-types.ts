import { DomainError } from '../errors.js';
import type { ApplicationType } from './types.js';

/** The generic SAML application: everything comes from the admin's fields and attribute mappings. */
export const genericSamlType: ApplicationType = {
  id: 'saml',
  label: 'Generic SAML 2.0 service provider',
  attributeProviders: [],
};

export interface ApplicationTypeRegistry {
  get(id: string): ApplicationType;
  list(): readonly ApplicationType[];
}

/** Built once in the composition root from the types this deployment supports; the generic type is always there. */
export const createApplicationTypeRegistry = (types: readonly ApplicationType[] = []): ApplicationTypeRegistry => {
  const byId = new Map<string, ApplicationType>([[genericSamlType.id, genericSamlType]]);
  for (const t of types) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(t.id))
      throw new Error(`application type id "${t.id}" must be lower-case kebab-case`);
    if (byId.has(t.id) && byId.get(t.id) !== t) throw new Error(`application type ${t.id} is registered twice`);
    byId.set(t.id, t);
  }
  return {
    get: (id) => {
      const t = byId.get(id);
      if (!t)
        throw new DomainError('invalid_input', `unknown application type ${id.slice(0, 40)}`, [
          { at: 'type', message: `must be one of ${[...byId.keys()].join(', ')}` },
        ]);
      return t;
    },
    list: () => [...byId.values()],
  };
};
