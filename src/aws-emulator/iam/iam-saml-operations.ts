/** IAM SAML identity providers: CRUD and tags. */
import type { QueryOperation } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { QueryInput } from '../http/query-params.js';
import { el, optional } from '../http/xml.js';
import { MAX_ITEMS, RULES, op, xml } from './iam-operation.js';
import { isoDate, members, samlProviderListEntry, tagsXml } from './iam-shapes.js';
import type { IamStore } from './iam-store.js';
import { QUOTAS } from './iam-store.js';
import { paginate } from './pagination.js';

/**
 * SAML assertion encryption (CreateSAMLProvider/UpdateSAMLProvider `AssertionEncryptionMode`, `AddPrivateKey`,
 * `RemovePrivateKey`) is not emulated. Ignoring the members would let a caller believe encryption is on, so
 * asking for it is refused; `Allowed` (plain assertions accepted) is what the emulator does anyway.
 */
function refuseAssertionEncryption(q: QueryInput, update: boolean): void {
  const mode = q.string('AssertionEncryptionMode', { pattern: 'Required|Allowed' });
  const addKey = q.string('AddPrivateKey', { min: 1, max: 16384, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' });
  const removeKey = update ? q.string('RemovePrivateKey', { min: 22, max: 64, pattern: '[A-Z0-9]+' }) : undefined;
  q.done();
  if (mode === 'Required' || addKey !== undefined || removeKey !== undefined) {
    throw new AwsServiceError(
      'InvalidInput',
      'SAML assertion encryption is not supported by the Keyway AWS emulator (AssertionEncryptionMode may only be Allowed).',
      400,
    );
  }
}

const tagList = (tags: Readonly<Record<string, string>>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function samlOperations(iam: IamStore): Record<string, QueryOperation> {
  return {
    CreateSAMLProvider: op((q, account) => {
      const document = q.requiredString('SAMLMetadataDocument', RULES.samlMetadata);
      const name = q.requiredString('Name', RULES.samlProviderName);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      refuseAssertionEncryption(q, false);
      const p = iam.createSamlProvider(account, name, document, tags);
      const list = tagList(p.tags);
      return xml(el('SAMLProviderArn', p.arn), list.length > 0 ? tagsXml(list) : undefined);
    }),
    GetSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      q.done();
      const p = iam.samlProviderIn(account, arn);
      const list = tagList(p.tags);
      return xml(
        el('SAMLProviderUUID', p.uuid),
        el('SAMLMetadataDocument', p.metadataDocument),
        el('CreateDate', isoDate(p.createDate)),
        el('ValidUntil', isoDate(p.validUntil)),
        list.length > 0 ? tagsXml(list) : undefined,
      );
    }),
    ListSAMLProviders: op((q, account) => {
      q.done();
      return xml(members('SAMLProviderList', iam.samlProviders(account).map(samlProviderListEntry)));
    }),
    UpdateSAMLProvider: op((q, account) => {
      const document = q.string('SAMLMetadataDocument', RULES.samlMetadata);
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      refuseAssertionEncryption(q, true);
      if (document === undefined) throw new AwsServiceError('InvalidInput', 'SAMLMetadataDocument is required.', 400);
      return xml(el('SAMLProviderArn', iam.updateSamlProvider(account, arn, document).arn));
    }),
    DeleteSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      q.done();
      iam.deleteSamlProvider(account, arn);
      return undefined;
    }),
    TagSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      iam.tagSamlProvider(account, arn, tags);
      return undefined;
    }),
    UntagSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      const keys = q.list('TagKeys', RULES.tagKey, QUOTAS.tagsPerResource);
      q.done();
      iam.untagSamlProvider(account, arn, keys);
      return undefined;
    }),
    ListSAMLProviderTags: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const page = paginate(tagList(iam.samlProviderIn(account, arn).tags), (t) => t.Key, marker, maxItems);
      return xml(tagsXml(page.items), el('IsTruncated', page.isTruncated), optional('Marker', page.marker));
    }),
  };
}
