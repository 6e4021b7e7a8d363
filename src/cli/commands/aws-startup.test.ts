import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { isWithoutStore, type CliContext } from '../command.js';
import { runCli } from '../program.js';
import { commands } from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'keyway-cli-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every registry entry loads the command of that name, and `keyway --help` lists them all', async () => {
  for (const entry of commands) assert.equal((await entry.load()).name, entry.name);
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  const code = await runCli(['--help'], {
    env: { KEYWAY_DATA_DIR: dir },
    cwd: dir,
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
  });
  assert.equal(code, 0);
  for (const entry of commands)
    assert.match(text, new RegExp(`^  ${entry.name}\\b.*\\S`, 'm'), `help lists ${entry.name} with its description`);
});

test('the AWS CLI-facing commands run without the store; the administrator commands do not', async () => {
  const program = new Command('keyway');
  (await commands.find((c) => c.name === 'aws')!.load()).register(program, {} as CliContext);
  const aws = program.commands.find((c) => c.name() === 'aws')!;
  const sub = (name: string) => aws.commands.find((c) => c.name() === name)!;
  for (const name of ['credentials', 'login', 'logout', 'configure'])
    assert.equal(isWithoutStore(sub(name)), true, name);
  for (const name of ['explain']) assert.equal(isWithoutStore(sub(name)), false, name);
  assert.equal(isWithoutStore(sub('accounts').commands.find((c) => c.name() === 'list')!), false);
});

test('`keyway aws credentials` (credential_process, run on every AWS CLI call) imports no module outside src/cli', () => {
  const trace = join(dir, 'modules.txt');
  const hook = join(dir, 'trace.mjs');
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) { const r = await next(specifier, context); appendFileSync(process.env.KEYWAY_TEST_TRACE, r.url + '\\n'); return r; }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));\n`,
  );
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      hook,
      join(root, 'bin/keyway.js'),
      'aws',
      'credentials',
      '--account',
      'Production',
      '--role',
      'Operator',
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        KEYWAY_TEST_TRACE: trace,
        KEYWAY_CLI_HOME: join(dir, 'home'),
        KEYWAY_URL: 'http://127.0.0.1:9',
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^keyway: not signed in to Keyway at http:\/\/127\.0\.0\.1:9; run: keyway aws login\n$/);
  const ours = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith(`file://${root}src/`));
  assert.ok(ours.length > 0, 'the trace saw our modules');
  assert.deepEqual(
    ours.filter((u) => !u.startsWith(`file://${root}src/cli/`)),
    [],
  );
  assert.equal(
    readFileSync(trace, 'utf8').includes('/node_modules/@aws-sdk/'),
    false,
    'no AWS SDK before a cache miss',
  );
});

test('`keyway aws credentials --duration` outside 900–43200 seconds is a usage error naming the range (AssumeRoleWithSAML DurationSeconds)', async () => {
  for (const bad of ['899', '43201', '1h']) {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString()));
    const code = await runCli(
      ['aws', 'credentials', '--account', 'Production', '--role', 'Operator', '--duration', bad],
      {
        env: { KEYWAY_CLI_HOME: join(dir, 'home') },
        cwd: dir,
        stdout: new PassThrough(),
        stderr,
        stdin: new PassThrough(),
      },
    );
    assert.equal(code, 2, bad);
    assert.match(text, new RegExp(`'${bad}' is invalid\\. must be a whole number of seconds from 900 to 43200`));
  }
});
