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
