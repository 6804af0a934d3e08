import { CancellationScope, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { REFUND_WORKFLOW_TYPE, refundWorkflowId, type RefundRequest, type RefundStatus } from './refund-types';
import type { SagaState } from './saga-state';
import { FINAL_REFUND_STATES, type PaymentRefundState } from './types';

/**
 * "Money kept, give it back" (issue #16 part 3): an operator's PAID resolution carrying `refund` makes
 * the payment start that refund itself, as a child refundSaga (ID as any refund's, so a second start
 * of the same number attaches nowhere new), and wait for it to conclude: the refund tells the payment
 * as every refund does (status.refunds), the child's result is recorded too, and then the hold goes
 * on (the check at close expects the refund at the gateway). Run whatever a cancellation request says:
 * a refund is never dropped half-way. Reached only when a resolve carrying `refund` was accepted,
 * which the handler gates with patch `payment-knows-refunds` (messages.ts).
 */
export async function giveBackFromResolution(saga: SagaState): Promise<void> {
  const resolution = saga.status.resolution;
  const refund = resolution?.refund;
  if (!resolution || !refund) return;
  const request: RefundRequest = {
    terminalSn: saga.status.terminalSn,
    clientSn: saga.status.clientSn,
    refundRequestNo: refund.refundRequestNo,
    amountFen: refund.amountFen,
    operator: resolution.operator,
    reason: `resolution: ${resolution.note}`.slice(0, 256),
  };
  const started: NonNullable<typeof resolution.refundStarted> = { workflowId: refundWorkflowId(request) };
  resolution.refundStarted = started;
  await CancellationScope.nonCancellable(async () => {
    let child;
    try {
      child = await startChild(REFUND_WORKFLOW_TYPE, {
        workflowId: started.workflowId,
        args: [request],
        parentClosePolicy: ParentClosePolicy.ABANDON, // a refund outlives anything that happens to the payment
      });
    } catch (err) {
      started.problem = `not started (${messageOf(err)}); a refund with this number tells the payment itself`;
      return;
    }
    try {
      const result = (await child.result()) as RefundStatus;
      started.state = result.state;
      if (FINAL_REFUND_STATES.includes(result.state as PaymentRefundState))
        saga.recordRefund({ ...refund, state: result.state as PaymentRefundState });
    } catch (err) {
      started.problem = `the refund failed (${messageOf(err)}); the check at close judges the books`;
    }
  });
}

function messageOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return err instanceof Error ? `${err.message}${cause}` : String(err);
}
