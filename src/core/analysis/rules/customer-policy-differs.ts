import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';

export const customerPolicyDiffers: Rule = {
  id: 'customer-managed-policy-differs',
  severity: 'medium',
  title: 'A customer-managed policy that is not the same everywhere',
  description:
    'A permission refers to a customer-managed policy by name; each account holds its own policy of that name. ' +
    'When the documents differ between the accounts the permission is granted in (or the policy is missing in ' +
    'some), the permission means different things in different accounts.',
  check(context) {
    const digests = context.input.customerManagedDigests;
    if (digests === undefined) return [];
    const findings: FindingDraft[] = [];
    for (const [name, permission] of context.permissions) {
      const accounts = [
        ...new Set(context.activeGrants.filter((g) => g.permission === name).flatMap((g) => g.accounts)),
      ].sort();
      for (const reference of permission.customerManagedReferences ?? []) {
        const seen = new Map<string, string[]>();
        for (const account of accounts) {
          const digest = digests.get(account)?.get(reference) ?? 'missing';
          seen.set(digest, [...(seen.get(digest) ?? []), account]);
        }
        if (seen.size < 2) continue;
        const variants = [...seen].map(
          ([d, a]) => `${d === 'missing' ? 'missing' : `version ${d.slice(0, 8)}`} in ${a.join(', ')}`,
        );
        findings.push({
          permission: name,
          message: `Customer-managed policy "${reference}" of permission "${name}" differs between accounts: ${variants.join('; ')}.`,
          fix: 'Deploy the same policy document to every account the permission is granted in (or inline it in the permission).',
          statements: [],
          accounts,
          location: permission.location,
        });
      }
    }
    return findings;
  },
};
