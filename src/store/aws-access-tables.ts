/** Tables of Pattern A (migration 0030), used as `Kysely<Database & AwsAccessTables>`. */
export type AwsAccountsTable = {
  id: string;
  name: string;
  name_lower: string;
  created_at: string;
  updated_at: string;
};

export type AwsRoleBindingsTable = {
  id: string;
  group_id: string;
  account_id: string;
  role_name: string;
  role_name_lower: string;
  role_path: string;
  created_at: string;
};

export type AwsAccessTables = {
  aws_accounts: AwsAccountsTable;
  aws_role_bindings: AwsRoleBindingsTable;
};

export type AwsCliTokensTable = {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  auth_methods: string;
  revoked_at: string | null;
  revoked_reason: string | null;
};

export type AwsCliDeviceGrantsTable = {
  device_code_hash: string;
  user_code: string;
  status: string;
  user_id: string | null;
  created_at: string;
  expires_at: string;
};

export type AwsCliTables = {
  aws_cli_tokens: AwsCliTokensTable;
  aws_cli_device_grants: AwsCliDeviceGrantsTable;
};
