import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliUsageError } from './command.js';
import type { CliIo } from './command.js';

const maxSecretBytes = 64 * 1024;

const readAll = async (stream: NodeJS.ReadableStream): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > maxSecretBytes) throw new CliUsageError('the secret on stdin is too long');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** One trailing newline is the file's line end, not part of the secret. */
const firstLine = (text: string): string => text.replace(/\r?\n$/, '');

const prompt = (io: CliIo, question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (!muted) io.stderr.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: io.stdin, output, terminal: true });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new CliUsageError('cancelled'));
    });
    rl.question(question, (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });

export const readSecret = async (
  io: CliIo,
  options: { file?: string; prompt: string; confirm?: boolean },
): Promise<string> => {
  let secret: string;
  if (options.file === '-') secret = firstLine(await readAll(io.stdin));
  else if (options.file) {
    try {
      secret = firstLine(await readFile(options.file, 'utf8'));
    } catch (e) {
      throw new CliUsageError(
        `cannot read ${options.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  } else if (!io.stdin.isTTY) secret = firstLine(await readAll(io.stdin));
  else {
    secret = await prompt(io, options.prompt);
    if (options.confirm && (await prompt(io, 'Repeat: ')) !== secret) throw new CliUsageError('the two entries differ');
  }
  if (secret.length === 0) throw new CliUsageError('the secret is empty');
  return secret;
};
