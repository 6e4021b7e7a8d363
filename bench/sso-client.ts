/**
 * Load generator for sso-cluster.bench.ts, its own process so its CPU is not charged to the server. Each of
 * `concurrency` keep-alive connections repeats one IdP-initiated SSO (GET /saml/apps/<id>/start with a session
 * cookie → 200 with the auto-posting SAML form), one request at a time, reading each answer only as far as its
 * Content-Length. Protocol on stdin/stdout: `run <count>` → `done <seconds>`. Arguments: base URL, path, cookie,
 * concurrency.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [base, path, cookie, concurrencyArg] = process.argv.slice(2);
const target = base ? /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(base) : null;
if (!target || !path || !cookie) throw new Error('usage: sso-client.ts http://127.0.0.1:<port> <path> <cookie> <n>');
const port = Number(target[1]);
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncookie: ${cookie}\r\n\r\n`, 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n');

const open = (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
    socket.setNoDelay(true);
  });

/** One request on the socket; resolves with the status once the whole answer has arrived. */
const once = (socket: Socket): Promise<number> =>
  new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const headEnd = buffered.indexOf(HEADER_END);
      if (headEnd < 0) return;
      const head = buffered.toString('latin1', 0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) return finish(new Error('answer without a Content-Length'));
      if (buffered.length < headEnd + 4 + Number(length[1])) return;
      finish(undefined, Number(head.slice(9, 12)));
    };
    const onError = (e: Error) => finish(e);
    const finish = (e?: Error, status?: number) => {
      socket.off('data', onData);
      socket.off('error', onError);
      if (e) reject(e);
      else resolve(status!);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.write(request);
  });

const sockets = await Promise.all(Array.from({ length: Number(concurrencyArg ?? '1') }, open));

const run = async (total: number): Promise<number> => {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    sockets.map(async (socket) => {
      while (next < total) {
        next++;
        const status = await once(socket);
        if (status !== 200) throw new Error(`SSO answered ${status}`);
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
};

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^run (\d{1,6})$/.exec(line.trim());
  if (!m) throw new Error(`unexpected command: ${line}`);
  process.stdout.write(`done ${await run(Number(m[1]))}\n`);
}
for (const s of sockets) s.destroy();
