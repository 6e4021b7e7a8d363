/** keyway keys list|rotate|promote|retire — the SAML IdP signing keys and their rotation. */
import type { SigningKey } from '../../core/index.js';
import { createSamlRuntimeFrom, keyView as view } from '../../server/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { json, table } from '../render.js';

const runtime = async (ctx: CliContext) => createSamlRuntimeFrom({ config: ctx.config(), store: await ctx.store() });

const printKeys = (ctx: CliContext, keys: readonly SigningKey[]) => {
  for (const l of table(
    ['ID', 'STATE', 'BITS', 'CREATED', 'NOT AFTER', 'SHA-256 FINGERPRINT'],
    keys.map((k) => {
      const v = view(k);
      return [k.id, k.state, k.bits, `${k.createdAt.slice(0, 19)}Z`, v.notAfter.slice(0, 10), k.fingerprint];
    }),
  ))
    ctx.out(l);
};

export const keysCommand: CliCommand = {
  name: 'keys',
  register(program, ctx) {
    const keys = program
      .command('keys')
      .description('manage the SAML signing keys (rotation: rotate → give SPs the new metadata → promote → retire)');

    keys
      .command('list')
      .description('list signing keys and their states (next, current, previous, retired)')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }) => {
        const rt = await runtime(ctx);
        await rt.keys.ensureCurrent(ctx.actor);
        const list = await rt.keys.list();
        if (o.json) return ctx.out(json(list.map(view)));
        printKeys(ctx, list);
      });

    keys
      .command('rotate')
      .description('add a "next" key; it is published in the IdP metadata beside the current one but does not sign yet')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }) => {
        const rt = await runtime(ctx);
        await rt.keys.ensureCurrent(ctx.actor);
        const k = await rt.keys.rotate(ctx.actor);
        if (o.json) return ctx.out(json(view(k)));
        ctx.out(`added next key ${k.id} (${k.bits}-bit RSA, SHA-256 ${k.fingerprint})`);
        ctx.err(
          `Give service providers the new IdP metadata (keyway apps metadata), then run: keyway keys promote ${k.id}`,
        );
      });

    keys
      .command('promote')
      .description('make a key the signing key; the old one stays published as "previous" until retired')
      .argument('<id>', 'key id')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const rt = await runtime(ctx);
        const k = await rt.keys.promote(ctx.actor, id);
        if (o.json) return ctx.out(json(view(k)));
        ctx.out(`key ${k.id} now signs every SAML response`);
        ctx.err(
          'When every service provider has the new certificate, retire the previous key: keyway keys retire <id>',
        );
      });

    keys
      .command('retire')
      .description('retire a next or previous key; it disappears from the IdP metadata')
      .argument('<id>', 'key id')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const rt = await runtime(ctx);
        const k = await rt.keys.retire(ctx.actor, id);
        if (o.json) return ctx.out(json(view(k)));
        ctx.out(`retired key ${k.id}`);
      });
  },
};
