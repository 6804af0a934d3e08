import { proxyActivities } from '@temporalio/workflow';
import type { CheckinActivities } from '../activities/checkin-activities';
import { CHECKIN_DEFAULT_RETRY, CheckinFailure, type CheckinInput, type CheckinResult } from './checkin-types';

/**
 * One terminal check-in: run daily by the terminal's Schedule shortly after 00:00 Asia/Shanghai,
 * and on demand (operator, or a payment that met ILLEGAL_SIGN). Only a check-in without an answer is
 * retried, at a fixed interval; a refusal fails the workflow at once, so it shows as Failed in the
 * Web UI (`WorkflowType="terminalCheckin" AND ExecutionStatus="Failed"`). No key is in its input,
 * result or history: the activity reads and writes the key store.
 */
export async function terminalCheckin(input: CheckinInput): Promise<CheckinResult> {
  const retry = input.retry ?? CHECKIN_DEFAULT_RETRY;
  const { checkinTerminal } = proxyActivities<CheckinActivities>({
    // Above the check-in call's own connect + read timeouts (activities/gateway/timeouts.ts: 5 + 25 + 10 s).
    startToCloseTimeout: '60s',
    retry: {
      maximumAttempts: retry.attempts,
      initialInterval: retry.intervalMs,
      backoffCoefficient: 1,
      nonRetryableErrorTypes: [
        CheckinFailure.KeyRejected,
        CheckinFailure.Refused,
        CheckinFailure.NotInKeyStore,
        CheckinFailure.KeyNotStored,
      ],
    },
  });
  return checkinTerminal({ terminalSn: input.terminalSn });
}
