/**
 * IAM Identity Center's collective throttle: its admin APIs (sso-admin and identitystore) share one request rate
 * per instance (IAM Identity Center User Guide, "IAM Identity Center quotas": 20 transactions per second). Over
 * it, AWS answers `ThrottlingException`, which the SDKs and the CLI retry.
 */
import type { JsonOperation, JsonServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { TokenBucket } from './scim/rate-limit.js';

/** Every operation of the registrations draws from `bucket` first. */
export function throttled(
  bucket: TokenBucket,
  registrations: readonly JsonServiceRegistration[],
): JsonServiceRegistration[] {
  return registrations.map((r) => ({
    ...r,
    operations: Object.fromEntries(
      Object.entries(r.operations).map(([name, operation]): [string, JsonOperation] => [
        name,
        (input, caller) => {
          const slot = bucket.take();
          if (!slot.ok)
            throw new AwsServiceError('ThrottlingException', 'Rate exceeded', 400, 'Sender', {
              RetryAfterSeconds: slot.retryAfterSeconds,
            });
          return operation(input, caller);
        },
      ]),
    ),
  }));
}
