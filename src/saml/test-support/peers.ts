/**
 * Running the independent SAML validators (xmlsec1, xmllint with the OASIS schemas) on documents Keyway made.
 * Whether a validator is installed, and what a test does when it is not, is decided in src/testing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML_SCHEMAS, XMLLINT, XMLSEC1 } from '../../testing/index.js';

export { MELLON_CREATE_METADATA, needPeers, PYTHON, SAML_SCHEMAS, XMLLINT, XMLSEC1 } from '../../testing/index.js';

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
 * `xmlsec1 --verify` in the hardened form (docs/contributing.md, "Peers worth knowing"): only same-document references,
 * the key only from the
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
