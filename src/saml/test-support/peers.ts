/**
 * Running the independent validators from PEERS.md. A missing peer skips the test with a reason, except in CI
 * (`CI=true`), where it fails: CI installs every peer, so absence there is a broken pipeline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const XMLSEC1 = '/usr/bin/xmlsec1';
export const PYTHON = '/usr/bin/python3';
export const MELLON_CREATE_METADATA = '/usr/sbin/mellon_create_metadata';
export const XMLLINT = '/usr/bin/xmllint';
/** The OASIS SAML 2.0 schemas as shipped by python3-onelogin-saml2. */
export const SAML_SCHEMAS = '/usr/lib/python3/dist-packages/onelogin/saml2/schemas';

function hasPythonOnelogin(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import onelogin.saml2.response'], { timeout: 20_000 }).status === 0;
}

const availability = new Map<string, boolean>();

/** Returns true when the peer can be used; otherwise skips the test (or fails it in CI). */
export function needPeer(t: TestContext, peer: 'xmlsec1' | 'onelogin' | 'mellon' | 'xsd'): boolean {
  let ok = availability.get(peer);
  if (ok === undefined) {
    ok =
      peer === 'xmlsec1'
        ? existsSync(XMLSEC1)
        : peer === 'mellon'
          ? existsSync(MELLON_CREATE_METADATA)
          : peer === 'xsd'
            ? existsSync(XMLLINT) && existsSync(join(SAML_SCHEMAS, 'saml-schema-protocol-2.0.xsd'))
            : hasPythonOnelogin();
    availability.set(peer, ok);
  }
  if (ok) return true;
  const reason = {
    xmlsec1: 'xmlsec1 is not installed (apt-get install xmlsec1)',
    onelogin: 'python3-onelogin-saml2 is not installed',
    mellon: 'libapache2-mod-auth-mellon (mellon_create_metadata) is not installed',
    xsd: 'xmllint (libxml2-utils) or the SAML schemas of python3-onelogin-saml2 are not installed',
  }[peer];
  if (process.env.CI === 'true') throw new Error(`${reason}; CI must install it`);
  t.skip(reason);
  return false;
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-saml-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface XmlsecResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * `xmlsec1 --verify` in the hardened form of PEERS.md: only same-document references, the key only from the
 * given certificate, IDs declared for Response and Assertion. `signedElement` picks which signature is checked:
 * the first one found inside the first Response or Assertion element. Several documents are checked in one
 * process (each costs ~30 ms of start-up); `ok` is true only when every one verifies.
 */
export function xmlsecVerify(
  documents: readonly string[],
  certificatePem: string,
  signedElement: 'Response' | 'Assertion' | 'LogoutRequest' | 'LogoutResponse',
): XmlsecResult {
  return withTempDir((dir) => {
    const cert = join(dir, 'idp.crt');
    writeFileSync(cert, certificatePem);
    const files = documents.map((doc, i) => {
      const f = join(dir, `doc-${i}.xml`);
      writeFileSync(f, doc);
      return f;
    });
    const r = spawnSync(
      XMLSEC1,
      [
        '--verify',
        '--enabled-reference-uris',
        'empty,same-doc',
        '--enabled-key-data',
        'raw-x509-cert',
        '--pubkey-cert-pem',
        cert,
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:protocol:Response',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse',
        '--node-xpath',
        `(//*[local-name()='${signedElement}'])[1]`,
        ...files,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const output = `${r.stdout}\n${r.stderr}`;
    const oks = (output.match(/^OK$/gm) ?? []).length;
    return { ok: r.status === 0 && oks === documents.length && !/^FAIL$/m.test(output), output };
  });
}

/** `xmllint --schema` against an OASIS SAML schema, offline; returns the combined output and whether all validate. */
export function xsdValidate(
  documents: readonly string[],
  schema: 'saml-schema-protocol-2.0.xsd' | 'saml-schema-metadata-2.0.xsd',
): XmlsecResult {
  return withTempDir((dir) => {
    const files = documents.map((doc, i) => {
      const f = join(dir, `doc-${i}.xml`);
      writeFileSync(f, doc);
      return f;
    });
    const r = spawnSync(XMLLINT, ['--nonet', '--noout', '--schema', join(SAML_SCHEMAS, schema), ...files], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    return { ok: r.status === 0 && (output.match(/ validates$/gm) ?? []).length === documents.length, output };
  });
}
