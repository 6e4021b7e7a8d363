/* Module boundaries (docs/contributing.md): who may import whom, and only through each module's index.ts. */
const ours = '^src/([^/]+)/';
const mod = (name) => `^src/${name}/`;
const forbidImports = (from, targets, comment) => ({
  name: `${from}-imports`,
  comment,
  severity: 'error',
  from: { path: mod(from) },
  to: { path: `^src/(${targets.join('|')})/` },
});
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    forbidImports(
      'core',
      ['saml', 'scim', 'oidc', 'auth', 'store', 'aws', 'aws-emulator', 'server', 'cli', 'demo'],
      'the domain imports nothing of ours',
    ),
    ...['saml', 'scim', 'oidc', 'auth', 'iam-policy'].map((m) =>
      forbidImports(
        m,
        [
          'core',
          'saml',
          'scim',
          'oidc',
          'auth',
          'iam-policy',
          'store',
          'aws',
          'aws-emulator',
          'server',
          'cli',
          'demo',
        ].filter((t) => t !== m),
        'protocol modules declare their own ports',
      ),
    ),
    forbidImports(
      'store',
      ['saml', 'scim', 'oidc', 'auth', 'aws', 'aws-emulator', 'server', 'cli', 'demo'],
      'storage implements core ports only',
    ),
    forbidImports(
      'aws',
      ['saml', 'scim', 'oidc', 'auth', 'store', 'aws-emulator', 'server', 'cli', 'demo'],
      'AWS adapters implement core ports only',
    ),
    forbidImports(
      'aws-emulator',
      ['core', 'oidc', 'auth', 'store', 'aws', 'server', 'cli', 'demo'],
      'the emulator stands apart from Keyway; it may use saml and scim',
    ),
    forbidImports('server', ['aws-emulator', 'cli', 'demo'], 'the server never embeds the emulator'),
    forbidImports('cli', ['aws-emulator', 'demo'], 'the CLI starts the emulator as its own process'),
    {
      name: 'testing-only-in-tests',
      comment: 'src/testing (test prerequisites) serves tests and their helpers, never production code',
      severity: 'error',
      from: { pathNot: ['^src/testing/', '/test-support/', '/testing\\.ts$', '/contract-harness\\.ts$'] },
      to: { path: '^src/testing/' },
    },
    {
      name: 'only-through-index',
      comment: 'each folder under src/ is a module whose index.ts is its only public surface',
      severity: 'error',
      from: { path: ours },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'core-no-io',
      comment: 'the domain does no I/O',
      severity: 'error',
      from: { path: mod('core') },
      to: {
        dependencyTypes: ['npm', 'core'],
        path: '(fastify|kysely|better-sqlite3|pg|@aws-sdk|node:fs|node:http|node:net|^fs$|^http$|^net$)',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
