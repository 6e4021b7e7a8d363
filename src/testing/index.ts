/**
 * What tests need from outside Node — a PostgreSQL server, or a program such as xmlsec1, Chromium or the AWS CLI
 * — and the one rule for when it is missing: the test is skipped with the reason, except under `CI=true`, where
 * it fails, because CI installs every peer (`.ci/run`) and a missing one there is a broken pipeline.
 * Used by tests only (`.dependency-cruiser.cjs` keeps production code from importing it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';

/** PostgreSQL for tests: every test makes and drops a schema of its own in this database. */
export const POSTGRES_TEST_URL = process.env.KEYWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const XMLSEC1 = '/usr/bin/xmlsec1';
export const XMLLINT = '/usr/bin/xmllint';
/** Debian's Python, which sees Debian's python3-* packages (the pyenv python3 on PATH does not). */
export const PYTHON = '/usr/bin/python3';
/** Debian's AWS CLI v2 (the `aws` on PATH may be pyenv's AWS CLI v1). */
export const AWS_CLI = '/usr/bin/aws';
export const CHROMIUM = '/usr/bin/chromium';
export const MELLON_CREATE_METADATA = '/usr/sbin/mellon_create_metadata';
export const APACHE_MODULES = '/usr/lib/apache2/modules';
/** The OASIS SAML 2.0 schemas as shipped by python3-onelogin-saml2. */
export const SAML_SCHEMAS = '/usr/lib/python3/dist-packages/onelogin/saml2/schemas';
/** The AWS service models (botocore JSON) shipped with Debian's awscli. */
export const AWS_SERVICE_MODELS = '/usr/lib/python3/dist-packages/awscli/botocore/data';
/** The same models as Debian's python3-botocore ships them (the ones boto3 runs on). */
export const BOTOCORE_MODELS = '/usr/lib/python3/dist-packages/botocore/data';

interface PeerCheck {
  readonly available: () => boolean;
  /** What is missing and how to get it. */
  readonly missing: string;
}

const succeeds = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { timeout: 20_000 }).status === 0;

const PEERS = {
  xmlsec1: { available: () => existsSync(XMLSEC1), missing: `${XMLSEC1} (Debian xmlsec1)` },
  xsd: {
    available: () => existsSync(XMLLINT) && existsSync(join(SAML_SCHEMAS, 'saml-schema-protocol-2.0.xsd')),
    missing: `${XMLLINT} (Debian libxml2-utils) or the SAML schemas of python3-onelogin-saml2`,
  },
  onelogin: {
    available: () => existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import onelogin.saml2.response']),
    missing: 'python3-onelogin-saml2 (Debian) for /usr/bin/python3',
  },
  mellon: {
    available: () =>
      existsSync(MELLON_CREATE_METADATA) &&
      existsSync(join(APACHE_MODULES, 'mod_auth_mellon.so')) &&
      succeeds('apache2', ['-v']),
    missing: 'Apache with mod_auth_mellon (Debian apache2, libapache2-mod-auth-mellon)',
  },
  'aws-cli': { available: () => existsSync(AWS_CLI), missing: `${AWS_CLI} (AWS CLI v2, Debian awscli)` },
  'aws-models': {
    available: () => existsSync(AWS_SERVICE_MODELS),
    missing: `the AWS service models at ${AWS_SERVICE_MODELS} (Debian awscli)`,
  },
  botocore: {
    available: () => existsSync(BOTOCORE_MODELS),
    missing: `the botocore service models at ${BOTOCORE_MODELS} (Debian python3-botocore)`,
  },
  boto3: {
    available: () => existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import boto3']),
    missing: 'python3-boto3 (Debian) for /usr/bin/python3',
  },
  chromium: { available: () => existsSync(CHROMIUM), missing: `${CHROMIUM} (Debian chromium)` },
  script: { available: () => existsSync('/usr/bin/script'), missing: '/usr/bin/script (Debian util-linux)' },
} satisfies Record<string, PeerCheck>;

export type Peer = keyof typeof PEERS;

const known = new Map<Peer, boolean>();
const isAvailable = (peer: Peer): boolean => {
  let ok = known.get(peer);
  if (ok === undefined) {
    ok = PEERS[peer].available();
    known.set(peer, ok);
  }
  return ok;
};

const inCi = (): boolean => process.env.CI === 'true';

/** The reason to skip, or false; under CI=true a missing prerequisite throws, so the test (or file) fails. */
function decide(reason: string | false): string | false {
  if (reason && inCi()) throw new Error(`${reason} (CI=true: CI installs every test peer, see .ci/run)`);
  return reason;
}

/**
 * For `test(name, { skip: missingPeers('xmlsec1') }, …)` and `describe`: the reason the peers are missing, or
 * false when all are here. Under CI=true it throws instead.
 */
export function missingPeers(...peers: Peer[]): string | false {
  const missing = peers.filter((p) => !isAvailable(p)).map((p) => PEERS[p].missing);
  return decide(missing.length ? `needs ${missing.join(', ')}` : false);
}

/** Inside a test: true when the peers are here; otherwise skips the test with the reason (fails under CI=true). */
export function needPeers(t: TestContext, ...peers: Peer[]): boolean {
  const reason = missingPeers(...peers);
  if (reason) t.skip(reason);
  return !reason;
}

let postgres: Promise<string | false> | undefined;

/** Like missingPeers, for the PostgreSQL server at POSTGRES_TEST_URL (connects once per process). */
export function missingPostgres(): Promise<string | false> {
  postgres ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return false;
    } catch (e) {
      return `needs PostgreSQL at ${POSTGRES_TEST_URL}: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgres.then(decide);
}
