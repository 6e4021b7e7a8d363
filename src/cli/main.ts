/** Entry point of bin/keyway.js. */
import { runCli } from './program.js';

// The AWS SDK warns on Node 20 that SDK versions published after January 2027 will need Node 22. Keyway pins its
// SDK versions, so the notice is about releases Keyway does not use; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
// is the SDK's own switch for it (@aws-sdk/core emitWarningIfUnsupportedVersion). Set for this process only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`keyway --help | head`) closes the pipe; what is left has nowhere to go, so stop
// quietly instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
