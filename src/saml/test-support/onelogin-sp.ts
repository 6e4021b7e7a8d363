/**
 * python3-onelogin-saml2 acting as the SP side of the protocol (OneLogin_Saml2_Auth): it writes signed
 * HTTP-Redirect AuthnRequests and LogoutRequests for Keyway to receive, and processes Keyway's LogoutRequests,
 * answering with a signed LogoutResponse. Each call runs one Python process with JSON in and out.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, withTempDir } from './peers.js';

const SCRIPT = `
import json, sys
from urllib.parse import urlparse, parse_qs
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

cfg = json.load(open(sys.argv[1]))
idp = OneLogin_Saml2_IdPMetadataParser.parse(open(sys.argv[2]).read())
settings = OneLogin_Saml2_IdPMetadataParser.merge_settings({
    'strict': True,
    'sp': {
        'entityId': cfg['spEntityId'],
        'assertionConsumerService': {'url': cfg['acsUrl'], 'binding': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'},
        'singleLogoutService': {'url': cfg['sloUrl'], 'binding': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'},
        'NameIDFormat': 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        'x509cert': cfg['spCert'], 'privateKey': cfg['spKey'],
    },
    'security': {
        'authnRequestsSigned': True, 'logoutRequestSigned': True, 'logoutResponseSigned': True,
        'wantMessagesSigned': True, 'rejectDeprecatedAlgorithm': True,
        'signatureAlgorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'digestAlgorithm': 'http://www.w3.org/2001/04/xmlenc#sha256',
    },
}, idp)

def request_data(url):
    u = urlparse(url)
    get = {k: v[0] for k, v in parse_qs(u.query).items()}
    return {'https': 'on' if u.scheme == 'https' else 'off', 'http_host': u.hostname,
            'server_port': str(u.port or (443 if u.scheme == 'https' else 80)), 'script_name': u.path,
            'get_data': get, 'post_data': {}, 'query_string': u.query, 'validate_signature_from_qs': True}

action = cfg['action']
out = {}
if action == 'login':
    auth = OneLogin_Saml2_Auth(request_data(cfg['acsUrl']), settings)
    out['url'] = auth.login(return_to=cfg.get('relayState'))
    out['requestId'] = auth.get_last_request_id()
elif action == 'logout':
    auth = OneLogin_Saml2_Auth(request_data(cfg['acsUrl']), settings)
    out['url'] = auth.logout(return_to=cfg.get('relayState'), name_id=cfg['nameId'], session_index=cfg['sessionIndex'],
                             name_id_format='urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', spnq=cfg['spEntityId'])
    out['requestId'] = auth.get_last_request_id()
elif action == 'process_slo':
    auth = OneLogin_Saml2_Auth(request_data(cfg['incomingUrl']), settings)
    out['url'] = auth.process_slo(keep_local_session=True)
    out['errors'] = auth.get_errors()
    out['reason'] = auth.get_last_error_reason()
json.dump(out, open(sys.argv[3], 'w'))
`;

export interface OneloginSpConfig {
  readonly action: 'login' | 'logout' | 'process_slo';
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
  readonly spCert: string;
  readonly spKey: string;
  readonly relayState?: string;
  readonly nameId?: string;
  readonly sessionIndex?: string;
  /** For process_slo: the full URL the browser was sent to (Keyway's signed LogoutRequest). */
  readonly incomingUrl?: string;
}

export interface OneloginSpResult {
  readonly url?: string | null;
  readonly requestId?: string;
  readonly errors?: string[];
  readonly reason?: string | null;
}

export function oneloginSp(idpMetadata: string, config: OneloginSpConfig): OneloginSpResult {
  return withTempDir((dir) => {
    const [script, cfg, idp, out] = ['sp.py', 'cfg.json', 'idp.xml', 'out.json'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
      string,
    ];
    writeFileSync(script, SCRIPT);
    writeFileSync(cfg, JSON.stringify(config));
    writeFileSync(idp, idpMetadata);
    const r = spawnSync(PYTHON, [script, cfg, idp, out], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`python onelogin SP failed: ${r.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as OneloginSpResult;
  });
}
