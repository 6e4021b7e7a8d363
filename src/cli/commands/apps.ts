/** keyway apps create|list|show|update|delete|metadata — SAML service providers registered with Keyway. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  DomainError,
  NAME_ID_FORMATS,
  type NameIdFormat,
  type SamlApplication,
  type SamlApplicationInput,
} from '../../core/index.js';
import { appView, createSamlRuntimeFrom, testSignIn, withMetadata, type SamlRuntime } from '../../server/index.js';
import { CliUsageError } from '../command.js';
import type { CliCommand, CliContext } from '../command.js';
import { details, json, table } from '../render.js';
import { collect, oneOf, positiveInt, resolveGroup, resolveUser } from './shared.js';

interface AppOptions {
  name?: string;
  description?: string;
  metadataFile?: string;
  metadataUrl?: string;
  entityId?: string;
  acs?: string[];
  sloUrl?: string;
  sloBinding?: 'HTTP-Redirect' | 'HTTP-POST';
  spCertFile?: string[];
  encryptionCertFile?: string;
  requireSignedRequests?: boolean;
  nameIdFormat?: NameIdFormat;
  nameIdSource?: string;
  attr?: string[];
  group?: string[];
  sign?: 'response' | 'assertion' | 'both';
  allowSha1?: boolean;
  sessionHours?: number;
  relayState?: string;
  enabled?: boolean;
  disabled?: boolean;
  setting?: string[];
}

const readText = (ctx: CliContext, path: string): string => {
  try {
    return readFileSync(path === '-' ? 0 : resolve(ctx.io.cwd, path), 'utf8');
  } catch (e) {
    throw new CliUsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
};

const MAX_METADATA_BYTES = 1024 * 1024;
const METADATA_TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * SP metadata from the URL the SP publishes it at. It carries the SP's certificates and ACS URLs (trust anchors),
 * so only https — plain http only on loopback, for an SP on this machine. Bounded in time and size.
 */
const fetchMetadata = async (raw: string): Promise<string> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliUsageError(`--metadata-url ${raw}: not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CliUsageError(`--metadata-url ${raw}: must be https (plain http only on localhost)`);
  }
  const failed = (why: string) => new Error(`cannot fetch SP metadata from ${url.href}: ${why}`);
  let res: Response;
  try {
    // Redirects are not followed: one could lead from https to plain http.
    res = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    });
  } catch (e) {
    throw failed(
      e instanceof Error && e.name === 'TimeoutError'
        ? `no answer within ${METADATA_TIMEOUT_MS / 1000} s`
        : String((e as Error).cause ?? (e as Error).message),
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw failed(`HTTP ${res.status}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  // Ends at the end of the body or at the size cap, whichever comes first.
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    size += part.value.byteLength;
    if (size > MAX_METADATA_BYTES) {
      await reader?.cancel().catch(() => undefined);
      throw failed(`larger than ${MAX_METADATA_BYTES / 1024} KiB`);
    }
    chunks.push(Buffer.from(part.value));
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** `--acs URL[#index][!]`: `#2` sets the index, a trailing `!` marks the default. */
const acsFrom = (values: readonly string[]) =>
  values.map((v, i) => {
    const m = /^(.+?)(?:#(\d{1,5}))?(!)?$/.exec(v);
    if (!m?.[1]) throw new InvalidArgumentError(`--acs ${v}: expected URL[#index][!]`);
    return { url: m[1], index: m[2] !== undefined ? Number(m[2]) : i, isDefault: m[3] === '!' };
  });

/** `--attr Name=source` (see docs/saml-apps.md for sources), e.g. `memberOf=groups`, `mail=user.email`. */
const attributeMappingsFrom = (pairs: readonly string[]) =>
  pairs.map((p) => {
    const i = p.indexOf('=');
    if (i < 1) throw new InvalidArgumentError(`--attr ${p}: expected Name=source, e.g. memberOf=groups`);
    return { name: p.slice(0, i), source: p.slice(i + 1) };
  });

const settingsFrom = (pairs: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i < 1) throw new InvalidArgumentError(`--setting ${p}: expected key=value (value may be JSON)`);
    const raw = p.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* plain text value */
    }
    Object.defineProperty(out, p.slice(0, i), { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
};

const inputFrom = async (ctx: CliContext, o: AppOptions): Promise<SamlApplicationInput & { metadataXml?: string }> => {
  const store = await ctx.store();
  const groupIds = o.group
    ? await Promise.all(o.group.map(async (g) => (await resolveGroup(store.directory, g)).id))
    : undefined;
  if (o.enabled && o.disabled) throw new CliUsageError('--enabled and --disabled exclude each other');
  if (o.metadataFile && o.metadataUrl) throw new CliUsageError('--metadata-file and --metadata-url exclude each other');
  const input: SamlApplicationInput & { metadataXml?: string } = {
    ...(o.metadataFile ? { metadataXml: readText(ctx, o.metadataFile) } : {}),
    ...(o.metadataUrl ? { metadataXml: await fetchMetadata(o.metadataUrl) } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.entityId !== undefined ? { entityId: o.entityId } : {}),
    ...(o.acs ? { acs: acsFrom(o.acs) } : {}),
    ...(o.sloUrl !== undefined
      ? { slo: o.sloUrl === '' ? null : { url: o.sloUrl, binding: o.sloBinding ?? 'HTTP-Redirect' } }
      : {}),
    ...(o.spCertFile ? { signingCertificates: o.spCertFile.map((f) => readText(ctx, f)) } : {}),
    ...(o.encryptionCertFile !== undefined
      ? { encryptionCertificate: o.encryptionCertFile === '' ? null : readText(ctx, o.encryptionCertFile) }
      : {}),
    ...(o.requireSignedRequests !== undefined ? { requireSignedRequests: o.requireSignedRequests } : {}),
    ...(o.nameIdFormat ? { nameIdFormat: o.nameIdFormat } : {}),
    ...(o.nameIdSource ? { nameIdSource: o.nameIdSource } : {}),
    ...(o.attr ? { attributes: attributeMappingsFrom(o.attr) } : {}),
    ...(groupIds ? { allowedGroupIds: groupIds } : {}),
    ...(o.sign ? { signResponse: o.sign !== 'assertion', signAssertion: o.sign !== 'response' } : {}),
    ...(o.allowSha1 !== undefined ? { allowSha1: o.allowSha1 } : {}),
    ...(o.sessionHours !== undefined ? { sessionDurationSeconds: o.sessionHours * 3600 } : {}),
    ...(o.relayState !== undefined ? { defaultRelayState: o.relayState === '' ? null : o.relayState } : {}),
    ...(o.enabled ? { enabled: true } : {}),
    ...(o.disabled ? { enabled: false } : {}),
    ...(o.setting ? { settings: settingsFrom(o.setting) } : {}),
  };
  return input;
};

const withAppOptions = (c: Command): Command =>
  c
    .option('--name <name>', 'name shown in the portal')
    .option('--description <text>', 'description shown in the portal')
    .option('--metadata-file <path>', "SP metadata XML ('-' for stdin); other options override what it says")
    .option(
      '--metadata-url <url>',
      'fetch the SP metadata from where the SP publishes it (https; http only on localhost)',
    )
    .option('--entity-id <id>', 'SP entityID (the Issuer of its AuthnRequests)')
    .option(
      '--acs <url[#index][!]>',
      'Assertion Consumer Service URL; repeat for several; ! marks the default',
      collect,
    )
    .option('--slo-url <url>', "SP single logout URL ('' to remove)")
    .option(
      '--slo-binding <binding>',
      'HTTP-Redirect (default) or HTTP-POST',
      oneOf(['HTTP-Redirect', 'HTTP-POST'] as const),
    )
    .option('--sp-cert-file <path>', 'SP signing certificate (PEM); repeat for several', collect)
    .option('--encryption-cert-file <path>', "SP encryption certificate: assertions get encrypted ('' to stop)")
    .option('--require-signed-requests', 'refuse unsigned AuthnRequests and LogoutRequests')
    .option('--no-require-signed-requests', 'accept unsigned requests (signed ones are still verified)')
    .option('--name-id-format <format>', `NameID format: ${NAME_ID_FORMATS.join(', ')}`, oneOf(NAME_ID_FORMATS))
    .option('--name-id-source <source>', 'user value for the NameID, e.g. user.userName, user.email, persistentId')
    .option(
      '--attr <Name=source>',
      'SAML attribute from user/group data, e.g. memberOf=groups, mail=user.email; repeat',
      collect,
    )
    .option(
      '--group <group>',
      'group (displayName or id) whose members, nested included, may use the app; repeat',
      collect,
    )
    .option(
      '--sign <what>',
      'what Keyway signs: both (default), response or assertion',
      oneOf(['both', 'response', 'assertion'] as const),
    )
    .option('--allow-sha1', 'accept SHA-1 signatures from this SP (weak; only for old SPs)')
    .option('--no-allow-sha1', 'refuse SHA-1 signatures again')
    .option('--session-hours <n>', 'SP session length in hours (SessionNotOnOrAfter)', positiveInt(168))
    .option('--relay-state <text>', "default RelayState for IdP-initiated sign-in ('' to remove)")
    .option('--setting <key=value>', 'type-specific setting (value may be JSON); repeat', collect);

const resolveApp = async (rt: SamlRuntime, ref: string): Promise<SamlApplication> => {
  const byEntity = await rt.apps.findByEntityId(ref);
  if (byEntity) return byEntity;
  try {
    return await rt.apps.get(ref);
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== 'not_found') throw e;
  }
  const named = (await rt.apps.list({ search: ref, limit: 10 })).items.filter(
    (a) => a.name.toLowerCase() === ref.toLowerCase(),
  );
  if (named.length === 1 && named[0]) return named[0];
  throw new DomainError(
    'not_found',
    named.length > 1
      ? `several applications are named "${ref}"; use the id`
      : `no application with id, entity ID or name "${ref}"`,
  );
};

const showApp = async (ctx: CliContext, rt: SamlRuntime, app: SamlApplication) => {
  const store = await ctx.store();
  const groups = await Promise.all(
    app.allowedGroupIds.map(
      async (id) => (await store.directory.getGroup(id).catch(() => null))?.displayName ?? `${id} (deleted)`,
    ),
  );
  for (const l of details([
    ['id', app.id],
    ['name', app.name],
    ['type', app.type],
    ['enabled', String(app.enabled)],
    ['entityId', app.entityId],
    ['acs', app.acs.map((a) => `${a.url} #${a.index}${a.isDefault ? ' (default)' : ''}`).join(', ')],
    ['slo', app.slo ? `${app.slo.url} (${app.slo.binding})` : undefined],
    ['nameId', `${app.nameIdFormat} from ${app.nameIdSource}`],
    [
      'attributes',
      app.attributes
        .map((a) => `${a.name}=${a.source}${a.filterPrefix ? ` (prefix ${a.filterPrefix})` : ''}`)
        .join(', '),
    ],
    ['signed', [app.signResponse ? 'response' : '', app.signAssertion ? 'assertion' : ''].filter(Boolean).join(' + ')],
    ['requests', app.requireSignedRequests ? 'must be signed' : 'signature optional (verified when present)'],
    ['sp certs', String(app.signingCertificates.length)],
    ['encryption', app.encryptionCertificate ? 'assertions encrypted' : 'off'],
    ['sha1', app.allowSha1 ? 'ALLOWED' : 'refused'],
    ['session', `${app.sessionDurationSeconds / 3600} h`],
    ['groups', groups.join(', ') || '(none: nobody may use it)'],
    ['relayState', app.defaultRelayState],
    ['settings', Object.keys(app.settings).length ? app.settings : undefined],
    ['idp metadata', rt.urls.metadata],
    ['sign-in URL', rt.urls.appStart(app.id)],
    ['version', app.version],
  ]))
    ctx.out(l);
};

export const appsCommand: CliCommand = {
  name: 'apps',
  register(program, ctx) {
    const apps = program.command('apps').description('manage SAML applications (service providers)');
    const runtime = async () => createSamlRuntimeFrom({ config: ctx.config(), store: await ctx.store() });

    withAppOptions(
      apps
        .command('create')
        .description('register a service provider from its metadata (--metadata-file, --metadata-url) or from fields'),
    )
      .option('--type <type>', 'application type (default saml)')
      .option('--json', 'print the application as JSON')
      .action(async (o: AppOptions & { type?: string; json?: boolean }) => {
        const rt = await runtime();
        const input = await inputFrom(ctx, o);
        if (!input.metadataXml && !input.entityId && !o.type)
          throw new CliUsageError(
            'give --metadata-file or --metadata-url, or --entity-id and --acs (see keyway apps create --help)',
          );
        const merged = withMetadata(input);
        const app = await rt.apps.create(ctx.actor, {
          ...merged,
          ...(o.type ? { type: o.type } : {}),
          name: merged.name ?? merged.entityId ?? o.type,
        });
        if (o.json) return ctx.out(json(appView(rt.urls, app)));
        ctx.out(`created application ${app.name} (${app.id})`);
        if (app.allowedGroupIds.length === 0)
          ctx.err(`nobody may use it yet: keyway apps update ${app.id} --group <group>`);
        ctx.err(`give the SP Keyway's metadata: ${rt.urls.metadata} (or keyway apps metadata --out idp.xml)`);
      });

    apps
      .command('list')
      .description('list applications')
      .option('--search <prefix>', 'name or entity ID starts with')
      .option('--limit <n>', 'page size (1-500)', positiveInt(500), 100)
      .option('--cursor <cursor>', 'continue after a previous page')
      .option('--json', 'print JSON ({ items, nextCursor, total })')
      .action(async (o: { search?: string; limit: number; cursor?: string; json?: boolean }) => {
        const rt = await runtime();
        const page = await rt.apps.list({
          ...(o.search ? { search: o.search } : {}),
          ...(o.cursor ? { cursor: o.cursor } : {}),
          limit: o.limit,
        });
        if (o.json) return ctx.out(json({ ...page, items: page.items.map((a) => appView(rt.urls, a)) }));
        for (const l of table(
          ['NAME', 'TYPE', 'ENABLED', 'ENTITY ID', 'ID'],
          page.items.map((a) => [a.name, a.type, a.enabled ? 'yes' : 'no', a.entityId, a.id]),
        ))
          ctx.out(l);
        ctx.err(
          `${page.items.length} of ${page.total} applications${page.nextCursor ? ` (more: --cursor ${page.nextCursor})` : ''}`,
        );
      });

    apps
      .command('show')
      .description('show one application')
      .argument('<app>', 'id, entity ID or name')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: { json?: boolean }) => {
        const rt = await runtime();
        const app = await resolveApp(rt, ref);
        if (o.json) return ctx.out(json(appView(rt.urls, app)));
        await showApp(ctx, rt, app);
      });

    withAppOptions(
      apps
        .command('update')
        .description("change an application's fields (lists given replace the stored ones)")
        .argument('<app>', 'id, entity ID or name'),
    )
      .option('--enabled', 'let users sign in again')
      .option('--disabled', 'switch the application off (nobody can sign in)')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: AppOptions & { json?: boolean }) => {
        const rt = await runtime();
        const app = await resolveApp(rt, ref);
        const input = await inputFrom(ctx, o);
        if (Object.keys(input).length === 0)
          throw new CliUsageError('nothing to change; give at least one option (see keyway apps update --help)');
        const updated = await rt.apps.update(ctx.actor, app.id, withMetadata(input, true), app.version);
        if (o.json) return ctx.out(json(appView(rt.urls, updated)));
        ctx.out(`updated application ${updated.name} (version ${updated.version})`);
      });

    apps
      .command('delete')
      .description('delete an application (its users can no longer sign in to it)')
      .argument('<app>', 'id, entity ID or name')
      .option('--yes', 'confirm the deletion')
      .action(async (ref: string, o: { yes?: boolean }) => {
        const rt = await runtime();
        const app = await resolveApp(rt, ref);
        if (!o.yes)
          throw new CliUsageError(`this deletes ${app.name} (${app.entityId}); run again with --yes to confirm`);
        await rt.apps.delete(ctx.actor, app.id);
        ctx.out(`deleted application ${app.name}`);
      });

    apps
      .command('test-signin')
      .description(
        'show what Keyway would send to the app for a user (NameID, attributes, signed Response), or why it would refuse; nothing is sent',
      )
      .argument('<app>', 'id, entity ID or name')
      .requiredOption('--user <user>', 'userName or id')
      .option('--mfa', 'as if the user had also used a second factor')
      .option('--xml', 'also print the signed Response XML')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: { user: string; mfa?: boolean; xml?: boolean; json?: boolean }) => {
        const rt = await runtime();
        const store = await ctx.store();
        const app = await resolveApp(rt, ref);
        const user = await resolveUser(store.directory, o.user);
        const r = await testSignIn(
          { store, config: ctx.config(), now: () => new Date() },
          rt,
          ctx.actor,
          app,
          user,
          o.mfa ? ['pwd', 'otp'] : ['pwd'],
        );
        if (o.json) return ctx.out(json(r));
        ctx.out(
          r.allowed
            ? `${r.user} may sign in to ${r.app} (through ${r.grantingGroups.join(', ')})`
            : `${r.user} may NOT sign in to ${r.app}:`,
        );
        for (const p of r.problems) ctx.out(`  - ${p}`);
        if (r.content) {
          ctx.out(`NameID (${r.content.nameIdFormat}): ${r.content.nameId}`);
          for (const l of table(
            ['ATTRIBUTE', 'VALUES'],
            r.content.attributes.map((a) => [a.name, a.values.join(', ')]),
          ))
            ctx.out(l);
        }
        if (o.xml && r.responseXml) ctx.out(r.responseXml);
        if (!r.allowed) throw new DomainError('forbidden', 'the test sign-in would be refused');
      });

    apps
      .command('metadata')
      .description("print Keyway's IdP metadata (what service providers need), or write it to a file")
      .option('--out <path>', 'write to this file instead of stdout')
      .action(async (o: { out?: string }) => {
        const rt = await runtime();
        await rt.keys.ensureCurrent(ctx.actor);
        const xml = await rt.metadataXml(new Date());
        if (!o.out) {
          ctx.io.stdout.write(xml.endsWith('\n') ? xml : `${xml}\n`);
          return;
        }
        writeFileSync(resolve(ctx.io.cwd, o.out), xml);
        ctx.err(`wrote IdP metadata to ${o.out} (also served at ${rt.urls.metadata})`);
      });
  },
};
