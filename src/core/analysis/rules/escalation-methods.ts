/**
 * Known ways for a session to gain permissions it was not given, as sets of actions that must all be allowed.
 * The list follows the publicly documented AWS privilege-escalation methods (Rhino Security Labs, "AWS IAM
 * Privilege Escalation – Methods and Mitigation") and the Glue, SageMaker, CodeBuild, SSM and ECS variants
 * published after it. A step with `passedTo` is `iam:PassRole` limited
 * to roles that the named service may receive, which is how `iam:PassedToService` conditions are honoured.
 */
export interface EscalationStep {
  readonly action: string;
  readonly passedTo?: string;
}

export interface EscalationMethod {
  readonly id: string;
  readonly title: string;
  readonly steps: readonly EscalationStep[];
}

const passRole = (service: string): EscalationStep => ({ action: 'iam:PassRole', passedTo: service });
const act = (...actions: string[]): EscalationStep[] => actions.map((action) => ({ action }));

export const ESCALATION_METHODS: readonly EscalationMethod[] = [
  {
    id: 'iam-create-policy-version',
    title: 'publish a new default version of a managed policy',
    steps: act('iam:CreatePolicyVersion'),
  },
  {
    id: 'iam-set-default-policy-version',
    title: 'switch a managed policy to a more permissive old version',
    steps: act('iam:SetDefaultPolicyVersion'),
  },
  { id: 'iam-attach-user-policy', title: 'attach any managed policy to a user', steps: act('iam:AttachUserPolicy') },
  { id: 'iam-attach-group-policy', title: 'attach any managed policy to a group', steps: act('iam:AttachGroupPolicy') },
  {
    id: 'iam-attach-role-policy',
    title: 'attach any managed policy to a role and assume it',
    steps: act('iam:AttachRolePolicy', 'sts:AssumeRole'),
  },
  { id: 'iam-put-user-policy', title: 'write an inline policy onto a user', steps: act('iam:PutUserPolicy') },
  { id: 'iam-put-group-policy', title: 'write an inline policy onto a group', steps: act('iam:PutGroupPolicy') },
  {
    id: 'iam-put-role-policy',
    title: 'write an inline policy onto a role and assume it',
    steps: act('iam:PutRolePolicy', 'sts:AssumeRole'),
  },
  { id: 'iam-add-user-to-group', title: 'add a user to a more privileged group', steps: act('iam:AddUserToGroup') },
  { id: 'iam-create-access-key', title: 'create access keys for another user', steps: act('iam:CreateAccessKey') },
  {
    id: 'iam-create-login-profile',
    title: 'set a console password for another user',
    steps: act('iam:CreateLoginProfile'),
  },
  {
    id: 'iam-update-login-profile',
    title: "change another user's console password",
    steps: act('iam:UpdateLoginProfile'),
  },
  {
    id: 'iam-update-assume-role-policy',
    title: "rewrite a role's trust policy and assume the role",
    steps: act('iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'),
  },
  {
    id: 'iam-delete-role-permissions-boundary',
    title: "remove a role's permissions boundary",
    steps: act('iam:DeleteRolePermissionsBoundary'),
  },
  {
    id: 'iam-put-role-permissions-boundary',
    title: "replace a role's permissions boundary with a wider one",
    steps: act('iam:PutRolePermissionsBoundary'),
  },
  {
    id: 'ec2-run-instances',
    title: 'launch an EC2 instance with a passed role and use its credentials',
    steps: [passRole('ec2.amazonaws.com'), ...act('ec2:RunInstances')],
  },
  {
    id: 'ec2-request-spot-instances',
    title: 'request a spot instance with a passed role',
    steps: [passRole('ec2.amazonaws.com'), ...act('ec2:RequestSpotInstances')],
  },
  {
    id: 'autoscaling-launch-configuration',
    title: 'start instances with a passed role through Auto Scaling',
    steps: [
      passRole('ec2.amazonaws.com'),
      ...act('autoscaling:CreateLaunchConfiguration', 'autoscaling:CreateAutoScalingGroup'),
    ],
  },
  {
    id: 'lambda-create-invoke',
    title: 'create a Lambda function with a passed role and invoke it',
    steps: [passRole('lambda.amazonaws.com'), ...act('lambda:CreateFunction', 'lambda:InvokeFunction')],
  },
  {
    id: 'lambda-create-event-source',
    title: 'create a Lambda function with a passed role and trigger it from an event source',
    steps: [passRole('lambda.amazonaws.com'), ...act('lambda:CreateFunction', 'lambda:CreateEventSourceMapping')],
  },
  {
    id: 'lambda-update-function-code',
    title: "replace an existing Lambda function's code and run as its role",
    steps: act('lambda:UpdateFunctionCode'),
  },
  {
    id: 'cloudformation-create-stack',
    title: 'create a CloudFormation stack that acts with a passed role',
    steps: [passRole('cloudformation.amazonaws.com'), ...act('cloudformation:CreateStack')],
  },
  {
    id: 'glue-create-dev-endpoint',
    title: 'create a Glue development endpoint with a passed role',
    steps: [passRole('glue.amazonaws.com'), ...act('glue:CreateDevEndpoint')],
  },
  {
    id: 'glue-update-dev-endpoint',
    title: 'add an SSH key to an existing Glue development endpoint and use its role',
    steps: act('glue:UpdateDevEndpoint'),
  },
  {
    id: 'glue-create-job',
    title: 'create and run a Glue job with a passed role',
    steps: [passRole('glue.amazonaws.com'), ...act('glue:CreateJob', 'glue:StartJobRun')],
  },
  {
    id: 'sagemaker-notebook',
    title: 'create a SageMaker notebook with a passed role and open it',
    steps: [
      passRole('sagemaker.amazonaws.com'),
      ...act('sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl'),
    ],
  },
  {
    id: 'sagemaker-presigned-notebook-url',
    title: 'open an existing SageMaker notebook and use its role',
    steps: act('sagemaker:CreatePresignedNotebookInstanceUrl'),
  },
  {
    id: 'sagemaker-training-job',
    title: 'run a SageMaker training job with a passed role',
    steps: [passRole('sagemaker.amazonaws.com'), ...act('sagemaker:CreateTrainingJob')],
  },
  {
    id: 'codebuild-create-project',
    title: 'create and start a CodeBuild project with a passed role',
    steps: [passRole('codebuild.amazonaws.com'), ...act('codebuild:CreateProject', 'codebuild:StartBuild')],
  },
  {
    id: 'codebuild-update-project',
    title: "change an existing CodeBuild project's commands and run it as its role",
    steps: act('codebuild:UpdateProject', 'codebuild:StartBuild'),
  },
  {
    id: 'datapipeline-create-pipeline',
    title: 'create a Data Pipeline that runs commands with a passed role',
    steps: [
      passRole('datapipeline.amazonaws.com'),
      ...act('datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'),
    ],
  },
  {
    id: 'ecs-run-task',
    title: 'register and run an ECS task with a passed role',
    steps: [passRole('ecs-tasks.amazonaws.com'), ...act('ecs:RegisterTaskDefinition', 'ecs:RunTask')],
  },
  {
    id: 'ssm-send-command',
    title: 'run commands on instances and use their roles',
    steps: act('ssm:SendCommand'),
  },
  {
    id: 'ssm-start-session',
    title: 'open a shell on instances and use their roles',
    steps: act('ssm:StartSession'),
  },
];
