/**
 * Load generator for signin.bench.ts, run as its own process so that its CPU is not counted as the server's.
 * The client shares the machine's two cores with the server and its hashing threads, so every microsecond it
 * spends is taken from the side being measured: node:http's client cost about 0.5 ms of CPU per request here.
 * It therefore speaks HTTP/1.1 itself over keep-alive sockets: each request is written from bytes prepared
 * once, and each answer is read only as far as framing needs (status line, Content-Length, Set-Cookie).
 * Answers without a Content-Length (chunked, close-delimited) are refused rather than guessed at.
 * Protocol on stdin/stdout, one line each: `run <count>` → `done <seconds> <cpu-seconds>`; `full <count>` does the
 * whole browser flow (GET form + POST) each time. Arguments: the server's base URL and the concurrency.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [base, concurrencyArg] = process.argv.slice(2);
const target = base ? /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(base) : null;
if (!target) throw new Error('usage: signin-client.ts http://127.0.0.1:<port> <concurrency>');
const port = Number(target[1]);
const concurrency = Number(concurrencyArg ?? '2');
const password = 'bench-password-123';
const MAX_ANSWER = 1 << 20;

interface Answer {
  readonly status: number;
  readonly setCookies: readonly string[];
  readonly body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection carrying one request at a time. */
class Connection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  send(request: Buffer): Promise<Answer> {
    if (this.waiting) throw new Error('one request at a time per connection');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.buffered.length > MAX_ANSWER) {
      this.fail(new Error('answer larger than 1 MiB'));
      return;
    }
    const headEnd = this.buffered.indexOf(HEADER_END);
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd).split('\r\n');
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head[0] ?? '');
    if (!status) {
      this.fail(new Error(`not an HTTP/1.1 status line: ${head[0]}`));
      return;
    }
    let length = -1;
    const setCookies: string[] = [];
    for (let i = 1; i < head.length; i++) {
      const line = head[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1));
      else if (name === 'set-cookie') setCookies.push(line.slice(colon + 1).trim());
      else if (name === 'transfer-encoding') {
        this.fail(new Error('chunked answers are not expected here'));
        return;
      }
    }
    if (!Number.isInteger(length) || length < 0) {
      this.fail(new Error('answer without a Content-Length'));
      return;
    }
    const end = headEnd + HEADER_END.length + length;
    if (this.buffered.length < end) return;
    if (this.buffered.length > end) {
      this.fail(new Error('bytes after the answer: the server sent more than one'));
      return;
    }
    const body = this.buffered.toString('utf8', headEnd + HEADER_END.length, end);
    this.buffered = Buffer.alloc(0);
    const w = this.waiting;
    this.waiting = null;
    w?.resolve({ status: Number(status[1]), setCookies, body });
  }
}

const request = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body = ''): Buffer => {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `host: 127.0.0.1:${port}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  if (method === 'POST') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
};

const GET_FORM = request('GET', '/signin', {});

/** A connection with its own sign-in form: its CSRF cookie and token, and the POST built from them once. */
interface Client {
  readonly conn: Connection;
  post: Buffer;
}

const loadForm = async (conn: Connection): Promise<Buffer> => {
  const form = await conn.send(GET_FORM);
  const cookie = form.setCookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
  if (form.status !== 200 || !csrf) throw new Error(`no sign-in form (status ${form.status})`);
  const body = new URLSearchParams({ userName: 'bench', password, csrf, returnTo: '/' }).toString();
  return request('POST', '/signin', { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body);
};

const postSignIn = async (client: Client): Promise<void> => {
  const res = await client.conn.send(client.post);
  if (res.status !== 303 || !res.setCookies.some((c) => c.startsWith('keyway_session=')))
    throw new Error(`sign-in failed with ${res.status}`);
};

const clients: Client[] = await Promise.all(
  Array.from({ length: concurrency }, async () => {
    const conn = await Connection.open();
    return { conn, post: await loadForm(conn) };
  }),
);

const run = async (total: number, full: boolean): Promise<number> => {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      while (next < total) {
        next++;
        if (full) client.post = await loadForm(client.conn);
        await postSignIn(client);
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
};

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^(run|full) (\d{1,5})$/.exec(line.trim());
  if (!m) throw new Error(`unexpected command: ${line}`);
  const cpu = process.cpuUsage();
  const seconds = await run(Number(m[2]), m[1] === 'full');
  const used = process.cpuUsage(cpu);
  process.stdout.write(`done ${seconds} ${(used.user + used.system) / 1e6}\n`);
}
for (const c of clients) c.conn.close();
