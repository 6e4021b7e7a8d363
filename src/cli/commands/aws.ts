/** keyway aws … — Pattern A: SAML federation into IAM roles (see docs/pattern-a.md). */
import type { CliCommand } from '../command.js';
import { registerAwsAdmin } from './aws-admin.js';
import { registerAwsConfigure } from './aws-configure.js';
import { registerAwsCredentials } from './aws-credentials.js';

export const awsCommand: CliCommand = {
  name: 'aws',
  register(program, ctx) {
    const aws = program
      .command('aws')
      .description('AWS accounts, group → IAM role bindings, IAM setup, and command-line AWS credentials');
    registerAwsAdmin(aws, ctx);
    registerAwsCredentials(aws, ctx);
    registerAwsConfigure(aws, ctx);
  },
};
