/** Shared set-up for Identity Center black-box tests: waiting for an asynchronous account assignment. */
import assert from 'node:assert/strict';
import { DescribeAccountAssignmentCreationStatusCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';

/** Polls DescribeAccountAssignmentCreationStatus until the request leaves IN_PROGRESS; it must end SUCCEEDED. */
export async function waitForAssignmentCreation(
  admin: SSOAdminClient,
  InstanceArn: string,
  requestId: string | undefined,
): Promise<void> {
  // Bounded by time, not by a count of polls: a loaded machine only makes this slower.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await admin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn,
        AccountAssignmentCreationRequestId: requestId,
      }),
    );
    const status = s.AccountAssignmentCreationStatus?.Status;
    if (status !== 'IN_PROGRESS') {
      assert.equal(status, 'SUCCEEDED', s.AccountAssignmentCreationStatus?.FailureReason);
      return;
    }
    assert.ok(Date.now() < deadline, 'assignment still IN_PROGRESS after 60 s');
    await new Promise((res) => setTimeout(res, 10));
  }
}
