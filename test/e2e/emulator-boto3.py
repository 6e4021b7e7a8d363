"""Drives the Keyway AWS emulator with boto3 (Debian python3-boto3), a client the emulator was not written
against: the Pattern A setup calls (SAML provider, role, AssumeRoleWithSAML, then AssumeRole from that
session), the Pattern B setup calls (permission set with AmazonEC2FullAccess, group, account assignment), and
update-role, policy versions, Organizations writes and policy simulation. Input is one JSON object on stdin;
the output is one JSON object of what was observed, which the Node test asserts on. Any botocore parse error
(a missing <XResult>, a wrong member) raises and fails the script.
"""
import json
import sys
import time

import boto3
from botocore.config import Config

cfg = json.load(sys.stdin)
URL = cfg["url"]
MGMT = cfg["managementAccountId"]
MEMBER = cfg["memberAccountId"]
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
out = {}


def client(service, keys):
    return boto3.client(
        service,
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=keys["accessKeyId"],
        aws_secret_access_key=keys["secretAccessKey"],
        aws_session_token=keys.get("sessionToken"),
        config=CONFIG,
    )


def temp(creds):
    return {
        "accessKeyId": creds["AccessKeyId"],
        "secretAccessKey": creds["SecretAccessKey"],
        "sessionToken": creds["SessionToken"],
    }


def wait(fn, done, limit=60):
    for _ in range(limit * 10):
        value = fn()
        if done(value):
            return value
        time.sleep(0.1)
    raise RuntimeError("timed out waiting")


root = cfg["root"]
member_root = cfg["memberRoot"]

# ---- Pattern A: provider, roles, AssumeRoleWithSAML, then sts assume-role from the SAML session ----
iam = client("iam", member_root)
provider = iam.create_saml_provider(Name="Keyway", SAMLMetadataDocument=cfg["metadata"])["SAMLProviderArn"]
iam.create_role(RoleName="Federated", AssumeRolePolicyDocument=json.dumps(cfg["samlTrust"]))
iam.create_role(
    RoleName="Target",
    AssumeRolePolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:role/Federated"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
iam.update_role(RoleName="Target", Description="updated by boto3", MaxSessionDuration=7200)
out["updatedRole"] = iam.get_role(RoleName="Target")["Role"]["MaxSessionDuration"]
iam.attach_role_policy(RoleName="Target", PolicyArn="arn:aws:iam::aws:policy/AmazonEC2FullAccess")
out["attached"] = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="Target")["AttachedPolicies"]]

unsigned = boto3.client("sts", endpoint_url=URL, region_name="us-east-1", config=Config(signature_version=__import__("botocore").UNSIGNED))
saml = unsigned.assume_role_with_saml(
    RoleArn=f"arn:aws:iam::{MEMBER}:role/Federated", PrincipalArn=provider, SAMLAssertion=cfg["samlResponse"]
)
saml_sts = client("sts", temp(saml["Credentials"]))
chained = saml_sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/Target", RoleSessionName="boto3-chain")
out["chainedArn"] = chained["AssumedRoleUser"]["Arn"]
out["chainedCaller"] = client("sts", temp(chained["Credentials"])).get_caller_identity()["Arn"]
try:
    saml_sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/Target", RoleSessionName="too-long", DurationSeconds=7200)
    out["chainLimit"] = "accepted"
except saml_sts.exceptions.ClientError as e:
    out["chainLimit"] = e.response["Error"]["Code"]

# ---- policy versions ----
policy = iam.create_policy(
    PolicyName="Boto3Policy",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
)["Policy"]
version = iam.create_policy_version(
    PolicyArn=policy["Arn"],
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    SetAsDefault=True,
)["PolicyVersion"]
out["policyVersion"] = [version["VersionId"], version["IsDefaultVersion"]]
got = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v2")["PolicyVersion"]
# botocore decodes the URL-encoded document into a dict.
out["policyVersionDocument"] = got["Document"]["Statement"][0]["Action"]

# ---- simulation ----
sim = iam.simulate_principal_policy(
    PolicySourceArn=f"arn:aws:iam::{MEMBER}:role/Target", ActionNames=["ec2:RunInstances", "iam:CreateUser"]
)
out["simulation"] = [[r["EvalActionName"], r["EvalDecision"]] for r in sim["EvaluationResults"]]

# ---- Organizations: create an account, put it in a new OU, move it ----
orgs = client("organizations", root)
root_id = orgs.list_roots()["Roots"][0]["Id"]
ou = orgs.create_organizational_unit(ParentId=root_id, Name="Boto3")["OrganizationalUnit"]
request = orgs.create_account(Email="boto3@example.com", AccountName="Boto3")["CreateAccountStatus"]
status = wait(
    lambda: orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"],
    lambda s: s["State"] != "IN_PROGRESS",
)
out["createAccount"] = status["State"]
new_id = status["AccountId"]
orgs.move_account(AccountId=new_id, SourceParentId=root_id, DestinationParentId=ou["Id"])
out["movedTo"] = orgs.list_parents(ChildId=new_id)["Parents"][0]["Id"] == ou["Id"]
access = client("sts", root).assume_role(
    RoleArn=f"arn:aws:iam::{new_id}:role/OrganizationAccountAccessRole", RoleSessionName="boto3"
)
out["accessRole"] = access["AssumedRoleUser"]["Arn"].split("/")[1]

# ---- Pattern B: permission set with AmazonEC2FullAccess, a group, an account assignment ----
admin = client("sso-admin", root)
instance = admin.list_instances()["Instances"][0]
ps = admin.create_permission_set(InstanceArn=instance["InstanceArn"], Name="Boto3Ec2", SessionDuration="PT4H")["PermissionSet"]
admin.attach_managed_policy_to_permission_set(
    InstanceArn=instance["InstanceArn"],
    PermissionSetArn=ps["PermissionSetArn"],
    ManagedPolicyArn="arn:aws:iam::aws:policy/AmazonEC2FullAccess",
)
out["permissionSetPolicies"] = [
    p["Name"]
    for p in admin.list_managed_policies_in_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=ps["PermissionSetArn"]
    )["AttachedManagedPolicies"]
]
store = client("identitystore", root)
group = store.create_group(IdentityStoreId=instance["IdentityStoreId"], DisplayName="boto3-engineers")
assignment = admin.create_account_assignment(
    InstanceArn=instance["InstanceArn"],
    TargetId=MEMBER,
    TargetType="AWS_ACCOUNT",
    PermissionSetArn=ps["PermissionSetArn"],
    PrincipalType="GROUP",
    PrincipalId=group["GroupId"],
)["AccountAssignmentCreationStatus"]
done = wait(
    lambda: admin.describe_account_assignment_creation_status(
        InstanceArn=instance["InstanceArn"], AccountAssignmentCreationRequestId=assignment["RequestId"]
    )["AccountAssignmentCreationStatus"],
    lambda s: s["Status"] != "IN_PROGRESS",
)
out["assignment"] = done["Status"]

json.dump(out, sys.stdout)
