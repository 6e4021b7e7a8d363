import { samlProviderArn } from './aws-names.js';

export interface TrustPolicyOptions {
  readonly accountId: string;
  readonly providerName: string;
  /**
   * The sign-in URL; AWS fills `SAML:aud` from SubjectConfirmationData/@Recipient (IAM User Guide, "Create a role for
   * SAML 2.0 federation (console)").
   */
  readonly signInUrl: string;
  readonly sendsTags: boolean;
  readonly sendsSourceIdentity: boolean;
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Readonly<Record<string, string | readonly string[]>> | '*';
  readonly Action: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

/**
 * The only trust a federated role needs: AssumeRoleWithSAML from this account's Keyway provider, for assertions
 * addressed to our sign-in URL; TagSession and SetSourceIdentity only when the assertion carries them.
 */
export function samlTrustPolicy(o: TrustPolicyOptions): PolicyDocument {
  const actions = ['sts:AssumeRoleWithSAML'];
  if (o.sendsTags) actions.push('sts:TagSession');
  if (o.sendsSourceIdentity) actions.push('sts:SetSourceIdentity');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: samlProviderArn(o.accountId, o.providerName) },
        Action: actions.length === 1 ? actions[0]! : actions,
        Condition: { StringEquals: { 'SAML:aud': o.signInUrl } },
      },
    ],
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const sortedStrings = (v: Json | undefined, lower = false): Json[] =>
  asList(v)
    .map((x) => (typeof x === 'string' && lower ? x.toLowerCase() : x))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const isObject = (v: Json | undefined): v is { [k: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function canonicalStatement(s: Json): Json {
  if (!isObject(s)) return s;
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(s).sort()) {
    const v = s[k]!;
    if (k === 'Action' || k === 'NotAction') {
      // Action names are case-insensitive in IAM.
      out[k] = sortedStrings(v, true);
    } else if ((k === 'Principal' || k === 'NotPrincipal') && isObject(v)) {
      const p: { [k: string]: Json } = {};
      for (const pk of Object.keys(v).sort()) p[pk] = sortedStrings(v[pk]);
      out[k] = p;
    } else if (k === 'Condition' && isObject(v)) {
      const c: { [k: string]: Json } = {};
      for (const op of Object.keys(v).sort()) {
        const block = v[op];
        if (!isObject(block)) {
          c[op] = block ?? null;
          continue;
        }
        // Condition context keys compare case-insensitively (reference_policies_iam-condition-keys).
        const b: { [k: string]: Json } = {};
        for (const ck of Object.keys(block).sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1)))
          b[ck.toLowerCase()] = sortedStrings(block[ck]);
        c[op] = b;
      }
      out[k] = c;
    } else if (k === 'Resource' || k === 'NotResource') {
      out[k] = sortedStrings(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * A canonical form for comparing policies the way IAM reads them: a single value equals a one-element list,
 * order inside lists does not matter, statements compare as a set.
 */
export function canonicalPolicy(doc: unknown): string {
  const d = doc as Json;
  if (!isObject(d)) return JSON.stringify(d);
  const statements = asList(d.Statement)
    .map((s) => JSON.stringify(canonicalStatement(s)))
    .sort();
  return JSON.stringify({ Version: d.Version ?? null, Statement: statements });
}

export const samePolicy = (a: unknown, b: unknown): boolean => canonicalPolicy(a) === canonicalPolicy(b);
