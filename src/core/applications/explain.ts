import { isDomainError } from '../errors.js';
import type { ApplicationTypeRegistry } from './app-types.js';
import { resolveAssertionContent } from './assertion-content.js';
import type { AssertionContent, SignInContext } from './types.js';

/**
 * "Test sign-in": what Keyway would send for this user, or every reason it would refuse (docs/saml-apps.md, "Test
 * sign-in").
 */
export interface SignInExplanation {
  readonly allowed: boolean;
  /** Plain sentences, each a reason the sign-in would be refused. */
  readonly problems: readonly string[];
  /** The user's effective groups that grant access to the app. */
  readonly grantingGroups: readonly string[];
  readonly content: AssertionContent | null;
}

export const explainSignIn = async (ctx: SignInContext, types: ApplicationTypeRegistry): Promise<SignInExplanation> => {
  const { app, user, effectiveGroups } = ctx;
  const problems: string[] = [];
  if (user.status !== 'active') problems.push(`${user.userName} is ${user.status}.`);
  if (!app.enabled) problems.push(`${app.name} is disabled.`);
  const granting = effectiveGroups.filter((g) => app.allowedGroupIds.includes(g.id)).map((g) => g.displayName);
  if (app.allowedGroupIds.length === 0) problems.push(`${app.name} has no allowed groups, so nobody may use it.`);
  else if (granting.length === 0)
    problems.push(
      `${user.userName} is not a member (direct or nested) of any of the ${app.allowedGroupIds.length} groups allowed to use ${app.name}.`,
    );
  let content: AssertionContent | null = null;
  try {
    content = await resolveAssertionContent(ctx, types);
  } catch (e) {
    if (!isDomainError(e) || (e.code !== 'forbidden' && e.code !== 'invalid_input')) throw e;
    problems.push(e.message, ...e.problems.map((p) => `${p.at}: ${p.message}`));
  }
  return { allowed: problems.length === 0, problems, grantingGroups: granting, content };
};
