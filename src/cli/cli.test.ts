import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from './testing.js';

const bin = fileURLToPath(new URL('../../bin/keyway.js', import.meta.url));
let dir: string;
let env: Record<string, string>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real binary, as a user runs it. */
const spawnCli = (args: string[], input?: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });

/** The same program in-process, for the many bad-input cases (fast). */
const runInProcess = (args: string[], input = ''): Promise<Run> => runCliCaptured(args, env, dir, input);

/** Runs in-process and fails with the command's own error output unless it succeeds. */
const ok = async (args: string[], input = ''): Promise<Run> => {
  const r = await runInProcess(args, input);
  assert.equal(r.code, 0, `keyway ${args.join(' ')} failed: ${r.stderr}`);
  return r;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-cli-'));
  env = { KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`, KEYWAY_MASTER_KEY: '22'.repeat(32) };
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('keyway (spawned through bin/keyway.js)', () => {
  test('--help lists every command and exits 0', async () => {
    const r = await spawnCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['serve', 'migrate', 'users', 'groups', 'import', 'export', 'tokens', 'audit'])
      assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
  });

  test('creates a user with a password from stdin, records the CLI actor in the audit log, and shows the user', async () => {
    const created = await spawnCli(
      ['users', 'create', 'alice', '--email', 'alice@example.com', '--given-name', 'Alice', '--with-password'],
      'alice-secret-password\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created user alice \(.+\) with a password$/m);
    const shown = await spawnCli(['users', 'show', 'ALICE', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { userName: string }).userName, 'alice');
    const audit = await spawnCli(['audit', '--action', 'user.created', '--json']);
    const events = (JSON.parse(audit.stdout) as { items: { actor: { kind: string } }[] }).items;
    assert.equal(events[0]?.actor.kind, 'cli');
  });

  test('exits 2 with a one-line error on usage mistakes and 1 when the directory refuses', async () => {
    const unknown = await spawnCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    assert.equal((await spawnCli(['users', 'create', 'grace'])).code, 0);
    const dup = await spawnCli(['users', 'create', 'Grace']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^keyway: A user with userName "Grace" already exists/m);
  });

  test('an unknown command asked for help (`frobnicate --help`, `help frobnicate`) is reported as unknown with exit 2', async () => {
    for (const args of [
      ['frobnicate', '--help'],
      ['help', 'frobnicate'],
      ['frobnicate', '-h'],
    ]) {
      const r = await spawnCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /unknown command 'frobnicate'/, args.join(' '));
      assert.equal(r.stdout, '', 'no top-level help');
    }
    const suggested = await spawnCli(['user', '--help']);
    assert.equal(suggested.code, 2);
    assert.match(suggested.stderr, /Did you mean users\?/);
  });

  test('output cut short by its reader (`keyway --help | head`) ends quietly, without an EPIPE error', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, '--help'], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The reader goes away before the help is written, as `head` does once it has its lines.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\.js:\d+/, r.stderr);
    assert.equal(r.code, 0);
  });

  test('serve answers /healthz and /readyz, then shuts down cleanly with exit 0 on SIGTERM', {
    timeout: 60_000,
  }, async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ...env,
        KEYWAY_PORT: '0',
        KEYWAY_LOG_LEVEL: 'warn',
        KEYWAY_WORKERS: '1',
      },
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 45_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });

  test('serve with two worker processes answers on one port and stops them all with exit 0 on SIGTERM', {
    timeout: 240_000,
  }, async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ...env,
        KEYWAY_PORT: '0',
        KEYWAY_LOG_LEVEL: 'warn',
        KEYWAY_WORKERS: '2',
      },
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const started = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 200_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+) .*with 2 worker processes/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    try {
      const url = await started;
      for (let i = 0; i < 4; i++) assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });

  test('migrate --dry-run reports an up-to-date schema', async () => {
    const r = await spawnCli(['migrate', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no pending migrations/);
  });
});

describe('keyway commands (in-process)', () => {
  test('manages groups, nested members and refuses a membership cycle with exit 1', async () => {
    await ok(['users', 'create', 'bob']);
    await ok(['groups', 'create', 'Engineering', '--description', 'builders']);
    await ok(['groups', 'create', 'Developers']);
    await ok(['groups', 'add-member', 'Engineering', 'Developers', '--group']);
    await ok(['groups', 'add-member', 'Developers', 'bob']);
    const cycle = await runInProcess(['groups', 'add-member', 'Developers', 'Engineering', '--group']);
    assert.equal(cycle.code, 1);
    assert.match(cycle.stderr, /contain itself/);
    const show = await runInProcess(['groups', 'show', 'engineering']);
    assert.match(show.stdout, /group:Developers/);
    const user = await runInProcess(['users', 'show', 'bob']);
    assert.match(user.stdout, /groups:\s+(Developers, Engineering|Engineering, Developers)/);
    await ok(['groups', 'remove-member', 'Developers', 'bob']);
    await ok(['groups', 'delete', 'Developers']);
    const list = await runInProcess(['groups', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { items: { displayName: string }[] }).items.map((g) => g.displayName),
      ['Engineering'],
    );
  });

  test('updates, suspends, activates, lists and deletes users', async () => {
    await ok(['users', 'create', 'carol']);
    await ok(['users', 'update', 'carol', '--display-name', 'Carol C', '--attr', 'team=ops', '--attr', 'team=sre']);
    await ok(['users', 'suspend', 'carol']);
    const suspended = await runInProcess(['users', 'list', '--status', 'suspended', '--json']);
    const items = (
      JSON.parse(suspended.stdout) as {
        items: { userName: string; displayName: string; attributes: Record<string, unknown> }[];
      }
    ).items;
    assert.deepEqual(
      items.map((u) => u.userName),
      ['carol'],
    );
    assert.deepEqual(items[0]?.attributes, { team: ['ops', 'sre'] });
    await ok(['users', 'activate', 'carol']);
    await ok(['users', 'delete', 'carol']);
    const missing = await runInProcess(['users', 'show', 'carol']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no user with userName or id "carol"/);
    const nothing = await runInProcess(['users', 'update', 'bob']);
    assert.equal(nothing.code, 2);
  });

  test('sets passwords from a file or stdin only, refusing weak or empty ones', async () => {
    const file = join(dir, 'pw.txt');
    writeFileSync(file, 'a-good-long-password\n');
    await ok(['users', 'set-password', 'bob', '--password-file', file]);
    const weak = await runInProcess(['users', 'set-password', 'bob'], 'short\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password: must be at least 8 characters/);
    const empty = await runInProcess(['users', 'set-password', 'bob'], '');
    assert.equal(empty.code, 2);
    const missingFile = await runInProcess(['users', 'set-password', 'bob', '--password-file', join(dir, 'nope')]);
    assert.equal(missingFile.code, 2);
    assert.match(missingFile.stderr, /cannot read .*ENOENT/);
    const noUserLeft = await runInProcess(['users', 'create', 'weakling', '--with-password'], 'short\n');
    assert.equal(noUserLeft.code, 1);
    assert.equal(
      (await runInProcess(['users', 'show', 'weakling'])).code,
      1,
      'a refused password leaves no half-made user',
    );
  });

  test('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const created = await runInProcess(['tokens', 'create', 'ci-bot']);
    assert.equal(created.code, 0);
    const token = created.stdout.trim();
    assert.match(token, /^kw_[A-Za-z0-9_-]{43}$/);
    const list = await runInProcess(['tokens', 'list', '--json']);
    assert.ok(!list.stdout.includes(token));
    assert.ok(!list.stdout.includes('hash'));
    await ok(['tokens', 'revoke', 'ci-bot']);
    const again = await runInProcess(['tokens', 'revoke', 'ci-bot']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked/);
    assert.equal((await runInProcess(['tokens', 'create', '../bad name!'])).code, 1);
  });

  test('imports a clean CSV, and imports nothing from a CSV with missing columns or invalid UTF-8, naming the lines', async () => {
    const good = join(dir, 'users.csv');
    writeFileSync(
      good,
      'userName,givenName,familyName,email,groups\nerin,Erin,E,erin@example.com,Engineering\nfrank,Frank,F,frank@example.com,Engineering\n',
    );
    const ok = await runInProcess(['import', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /users 2 created/);

    const before = (JSON.parse((await runInProcess(['users', 'list', '--json'])).stdout) as { total: number }).total;
    const noUserName = join(dir, 'bad-columns.csv');
    writeFileSync(noUserName, 'givenName,familyName\nGina,G\n');
    const r1 = await runInProcess(['import', noUserName, '--format', 'users-csv']);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /userName/);
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(
      latin1,
      Buffer.concat([
        Buffer.from('userName,givenName\nhank,H\nines,'),
        Buffer.from([0xcd, 0x6e, 0xe9, 0x73]),
        Buffer.from('\n'),
      ]),
    );
    const r2 = await runInProcess(['import', latin1]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /line 3: is not valid UTF-8/);
    const badRows = join(dir, 'bad-rows.csv');
    writeFileSync(badRows, 'userName,email\njoe,joe@example.com\n,missing@example.com\nERIN,dup@example.com\n');
    const r3 = await runInProcess(['import', badRows]);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /line 3/);
    const after = (JSON.parse((await runInProcess(['users', 'list', '--json'])).stdout) as { total: number }).total;
    assert.equal(after, before, 'nothing imported from files with errors');
    assert.equal((await runInProcess(['users', 'show', 'joe'])).code, 1);
    const noExt = await runInProcess(['import', join(dir, 'file.txt')]);
    assert.equal(noExt.code, 2);
  });

  test('exports JSON that imports back without changes', async () => {
    const exported = await runInProcess(['export', '--format', 'json']);
    assert.equal(exported.code, 0);
    const file = join(dir, 'export.json');
    writeFileSync(file, exported.stdout);
    const again = await runInProcess(['import', file, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as {
      users: { created: number; updated: number };
      groups: { created: number; updated: number };
    };
    assert.equal(report.users.created + report.users.updated + report.groups.created + report.groups.updated, 0);
  });

  test('filters the audit log and refuses a malformed time with exit 2', async () => {
    const r = await runInProcess(['audit', '--action', 'token.revoked', '--since', '2020-01-01', '--json']);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as { items: unknown[] }).items.length, 1);
    const sqli = await runInProcess(['audit', '--actor', "' OR 1=1 --", '--json']);
    assert.equal((JSON.parse(sqli.stdout) as { items: unknown[] }).items.length, 0);
    const bad = await runInProcess(['audit', '--since', 'last tuesday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ISO-8601/);
  });
});
