/**
 * python3-onelogin-saml2 (Debian) as an independent SP in strict mode. Inputs go through files;
 * the script prints one JSON line: `{"valid": bool, "error": str|null, "nameId": str|null, "attributes": {...}}`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, withTempDir } from './peers.js';

const SCRIPT = `
import json, sys
from urllib.parse import urlparse
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response

cfg = json.load(open(sys.argv[1]))
idp = OneLogin_Saml2_IdPMetadataParser.parse(open(sys.argv[2]).read())
settings = OneLogin_Saml2_IdPMetadataParser.merge_settings({
    'strict': True,
    'sp': {
        'entityId': cfg['spEntityId'],
        'assertionConsumerService': {'url': cfg['acsUrl'], 'binding': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'},
        'NameIDFormat': 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        'privateKey': cfg.get('spKey', ''), 'x509cert': cfg.get('spCert', ''),
    },
    'security': {
        'wantAssertionsSigned': cfg['wantAssertionsSigned'],
        'wantMessagesSigned': cfg['wantMessagesSigned'],
        'wantAssertionsEncrypted': cfg.get('wantAssertionsEncrypted', False),
        'rejectDeprecatedAlgorithm': True,
    },
}, idp)
url = urlparse(cfg['acsUrl'])
request_data = {
    'https': 'on' if url.scheme == 'https' else 'off',
    'http_host': url.hostname,
    'server_port': str(url.port or (443 if url.scheme == 'https' else 80)),
    'script_name': url.path,
    'get_data': {}, 'post_data': {},
}
results = []
for line in open(sys.argv[3]):
    b64 = line.strip()
    if not b64:
        continue
    s = OneLogin_Saml2_Settings(settings)
    r = OneLogin_Saml2_Response(s, b64)
    try:
        r.is_valid(request_data, request_id=cfg.get('requestId'), raise_exceptions=True)
        results.append({'valid': True, 'error': None, 'nameId': r.get_nameid(), 'attributes': r.get_attributes()})
    except Exception as e:
        results.append({'valid': False, 'error': str(e), 'nameId': None, 'attributes': None})
json.dump(results, open(sys.argv[4], 'w'))
`;

export interface OneloginConfig {
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly wantAssertionsSigned: boolean;
  readonly wantMessagesSigned: boolean;
  readonly wantAssertionsEncrypted?: boolean;
  readonly requestId?: string;
  /** SP key pair (PEM), needed to decrypt encrypted assertions. */
  readonly spKey?: string;
  readonly spCert?: string;
}

export interface OneloginResult {
  readonly valid: boolean;
  readonly error: string | null;
  readonly nameId: string | null;
  readonly attributes: Record<string, string[]> | null;
}

/** Validates several base64 responses against one SP configuration in a single Python process. */
export function oneloginValidate(
  idpMetadata: string,
  config: OneloginConfig,
  responsesBase64: readonly string[],
): OneloginResult[] {
  return withTempDir((dir) => {
    const files = ['script.py', 'cfg.json', 'idp.xml', 'responses.txt', 'out.json'].map((f) => join(dir, f));
    const [script, cfg, idp, responses, out] = files as [string, string, string, string, string];
    writeFileSync(script, SCRIPT);
    writeFileSync(cfg, JSON.stringify(config));
    writeFileSync(idp, idpMetadata);
    writeFileSync(responses, `${responsesBase64.join('\n')}\n`);
    const r = spawnSync(PYTHON, [script, cfg, idp, responses, out], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`python onelogin failed: ${r.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as OneloginResult[];
  });
}
