/** Tables of the SAML IdP (migrations 0010–0012), used as `Kysely<Database & SamlTables>`. */
export type SamlSigningKeysTable = {
  id: string;
  state: string;
  algorithm: string;
  bits: number;
  certificate_pem: string;
  fingerprint: string;
  encrypted_private_key: string;
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
};

export type SamlApplicationsTable = {
  id: string;
  type: string;
  name: string;
  name_lower: string;
  entity_id: string;
  /** 0/1 on both engines. */
  enabled: number;
  /** The whole SamlApplication as JSON; the other columns are copies for lookups. */
  document: string;
  created_at: string;
  updated_at: string;
  version: number;
};

export type SamlReplayCacheTable = {
  key: string;
  expires_at: string;
};

export type SamlTables = {
  saml_signing_keys: SamlSigningKeysTable;
  saml_applications: SamlApplicationsTable;
  saml_replay_cache: SamlReplayCacheTable;
};
