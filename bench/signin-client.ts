/**
 * Load generator for signin.bench.ts, run as its own process so that its CPU is not counted as the server's.
 * Protocol on stdin/stdout, one line each: `run <count>` → `done <seconds>`; `full <count>` does the whole
 * browser flow (GET form + POST) each time. Argument: the server's base URL and the concurrency.
 */
import { createInterface } from 'node:readline';

const [base, concurrencyArg] = process.argv.slice(2);
if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error('usage: signin-client.ts http://127.0.0.1:<port> <concurrency>');
const concurrency = Number(concurrencyArg ?? '2');
const password = 'bench-password-123';

interface FormPair {
  readonly cookie: string;
  readonly csrf: string;
}

const loadForm = async (): Promise<FormPair> => {
  const form = await fetch(`${base}/signin`);
  const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF field on the sign-in page');
  return { cookie, csrf };
};

const postSignIn = async (pair: FormPair): Promise<void> => {
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pair.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userName: 'bench', password, csrf: pair.csrf, returnTo: '/' }).toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 303 || !res.headers.getSetCookie().some((c) => /keyway_session=/.test(c))) throw new Error(`sign-in failed with ${res.status}`);
};

const pairs = await Promise.all(Array.from({ length: concurrency }, loadForm));

const run = async (total: number, full: boolean): Promise<number> => {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    pairs.map(async (pair) => {
      while (next < total) {
        next++;
        await postSignIn(full ? await loadForm() : pair);
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
};

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^(run|full) (\d{1,5})$/.exec(line.trim());
  if (!m) throw new Error(`unexpected command: ${line}`);
  process.stdout.write(`done ${await run(Number(m[2]), m[1] === 'full')}\n`);
}
