/**
 * Load generator for signin.bench.ts, run as its own process so that its CPU is not counted as the server's.
 * It uses node:http with a keep-alive agent rather than fetch: the client shares the machine's cores with the
 * server and its hashing threads, so a lighter client takes less from the side being measured.
 * Protocol on stdin/stdout, one line each: `run <count>` → `done <seconds>`; `full <count>` does the whole
 * browser flow (GET form + POST) each time. Argument: the server's base URL and the concurrency.
 */
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const [base, concurrencyArg] = process.argv.slice(2);
if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error('usage: signin-client.ts http://127.0.0.1:<port> <concurrency>');
const concurrency = Number(concurrencyArg ?? '2');
const password = 'bench-password-123';
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

interface Answer {
  readonly status: number;
  readonly setCookies: readonly string[];
  readonly body: string;
}

const send = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookies: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

interface FormPair {
  readonly cookie: string;
  readonly csrf: string;
}

const loadForm = async (): Promise<FormPair> => {
  const form = await send('GET', '/signin', {});
  const cookie = form.setCookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
  if (!csrf) throw new Error('no CSRF field on the sign-in page');
  return { cookie, csrf };
};

const postSignIn = async (pair: FormPair): Promise<void> => {
  const body = new URLSearchParams({ userName: 'bench', password, csrf: pair.csrf, returnTo: '/' }).toString();
  const res = await send('POST', '/signin', { cookie: pair.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body);
  if (res.status !== 303 || !res.setCookies.some((c) => /keyway_session=/.test(c))) throw new Error(`sign-in failed with ${res.status}`);
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
agent.destroy();
