import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../identity/actor.js';
import type { DirectoryService } from '../directory/service.js';
import { DomainError, isDomainError } from '../errors.js';
import type { Page } from '../directory/types.js';
import type { ApplicationTypeRegistry } from './app-types.js';
import type { ApplicationQuery, ApplicationStore, SamlApplication, SamlApplicationInput } from './types.js';
import { validateFields } from './validate.js';

export interface ApplicationServiceDeps {
  readonly store: ApplicationStore;
  readonly directory: DirectoryService;
  readonly types: ApplicationTypeRegistry;
  readonly now?: () => Date;
}

export interface ApplicationService {
  create(actor: Actor, input: SamlApplicationInput): Promise<SamlApplication>;
  get(id: string): Promise<SamlApplication>;
  findByEntityId(entityId: string): Promise<SamlApplication | null>;
  list(query: ApplicationQuery): Promise<Page<SamlApplication>>;
  /** Fields present in `patch` replace the stored ones (lists replace whole); the result is validated as a whole. */
  update(actor: Actor, id: string, patch: SamlApplicationInput, expectedVersion?: number): Promise<SamlApplication>;
  delete(actor: Actor, id: string): Promise<void>;
  /** Enabled applications the user may open, for the portal. */
  listForUser(userId: string): Promise<readonly SamlApplication[]>;
}

/** What the audit log keeps of an app: everything except the persistent-ID secret. */
export const auditView = (app: SamlApplication): Omit<SamlApplication, 'persistentIdSecret'> => {
  const { persistentIdSecret: _secret, ...rest } = app;
  return rest;
};

const toInput = (app: SamlApplication): SamlApplicationInput => ({ ...app, slo: app.slo });

export const createApplicationService = ({
  store,
  directory,
  types,
  now = () => new Date(),
}: ApplicationServiceDeps): ApplicationService => {
  const checkGroups = async (ids: readonly string[]): Promise<void> => {
    const missing: string[] = [];
    for (const id of ids) {
      try {
        await directory.getGroup(id);
      } catch (e) {
        if (isDomainError(e) && e.code === 'not_found') missing.push(id);
        else throw e;
      }
    }
    if (missing.length) {
      throw new DomainError(
        'invalid_input',
        'the application is not valid',
        missing.map((id) => ({ at: 'allowedGroupIds', message: `no group with id ${id}` })),
      );
    }
  };

  const settingsOf = (
    type: string,
    settings: Readonly<Record<string, unknown>> | undefined,
  ): Readonly<Record<string, unknown>> => {
    const t = types.get(type);
    const given = settings ?? {};
    if (t.validateSettings) return t.validateSettings(given);
    if (Object.keys(given).length > 0)
      throw new DomainError('invalid_input', 'the application is not valid', [
        { at: 'settings', message: `applications of type ${type} take no settings` },
      ]);
    return {};
  };

  const get = async (id: string): Promise<SamlApplication> => {
    const app = await store.get(id);
    if (!app) throw new DomainError('not_found', `no application with id ${id}`);
    return app;
  };

  return {
    async create(actor, input) {
      const type = input.type ?? 'saml';
      const merged: SamlApplicationInput = { ...(types.get(type).defaults?.() ?? {}), ...stripUndefined(input), type };
      const fields = validateFields(merged);
      const settings = settingsOf(type, merged.settings);
      await checkGroups(fields.allowedGroupIds);
      const at = now().toISOString();
      const app: SamlApplication = {
        id: randomUUID(),
        type,
        ...fields,
        settings,
        persistentIdSecret: randomBytes(32).toString('base64url'),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      await store.insert(app, {
        action: 'application.created',
        actor,
        outcome: 'success',
        target: { type: 'application', id: app.id, label: app.name },
        after: auditView(app),
      });
      return app;
    },
    get,
    findByEntityId: (entityId) => store.findByEntityId(entityId),
    list: (query) => store.list(query),
    async update(actor, id, patch, expectedVersion) {
      const before = await get(id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) {
        throw new DomainError(
          'precondition_failed',
          `application ${id} is at version ${before.version}, not ${expectedVersion}`,
        );
      }
      if (patch.type !== undefined && patch.type !== before.type) {
        throw new DomainError('invalid_input', 'the application is not valid', [
          { at: 'type', message: 'cannot change; create a new application instead' },
        ]);
      }
      const merged: SamlApplicationInput = { ...toInput(before), ...stripUndefined(patch) };
      const fields = validateFields(merged);
      const settings = settingsOf(before.type, merged.settings);
      await checkGroups(fields.allowedGroupIds.filter((g) => !before.allowedGroupIds.includes(g)));
      const after: SamlApplication = {
        ...before,
        ...fields,
        settings,
        updatedAt: now().toISOString(),
        version: before.version + 1,
      };
      await store.update(after, before.version, {
        action: 'application.updated',
        actor,
        outcome: 'success',
        target: { type: 'application', id, label: after.name },
        before: auditView(before),
        after: auditView(after),
      });
      return after;
    },
    async delete(actor, id) {
      const before = await get(id);
      const deleted = await store.delete(id, {
        action: 'application.deleted',
        actor,
        outcome: 'success',
        target: { type: 'application', id, label: before.name },
        before: auditView(before),
      });
      if (!deleted) throw new DomainError('not_found', `no application with id ${id}`);
    },
    async listForUser(userId) {
      const groups = new Set((await directory.effectiveGroupsOfUser(userId)).map((g) => g.id));
      return (await store.listEnabled()).filter((a) => a.allowedGroupIds.some((g) => groups.has(g)));
    },
  };
};

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
