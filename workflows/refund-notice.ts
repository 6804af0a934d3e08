import { getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { refundRecordedSignal } from './definitions';
import { PAYMENT_KNOWS_REFUNDS } from './payment-refunds';
import type { RefundSagaState } from './refund-state';
import { paymentWorkflowId, type PaymentRefundState } from './types';

/**
 * Tells the payment's workflow of this refund (issue #16 part 3): after the look, before anything is
 * sent (REFUNDING), and when the refund concludes. A signal to an external workflow is a command,
 * deterministic on replay; one to a payment whose workflow has closed (another day) or never ran here
 * fails, and is only noted in `status.payment`. Patched (`payment-knows-refunds`): refunds recorded
 * before it told nobody, and replay as they ran. A refund refused by its look, before any notice, tells
 * nothing (it moved nothing).
 */
export async function tellPayment(refund: RefundSagaState, state: PaymentRefundState): Promise<void> {
  if (state === 'REFUSED' && !refund.status.payment) return;
  if (!patched(PAYMENT_KNOWS_REFUNDS)) return;
  const clientSn = refund.status.clientSn ?? orderClientSn(refund);
  if (clientSn === undefined) return; // named by sn and no answer named its client_sn: no payment to find
  const workflowId = paymentWorkflowId(refund.status.terminalSn, clientSn);
  const payment = (refund.status.payment ??= { workflowId, notices: [] });
  const notice: { state: PaymentRefundState; at: number; delivered: boolean; why?: string } = {
    state,
    at: Date.now(),
    delivered: false,
  };
  payment.notices.push(notice);
  try {
    await getExternalWorkflowHandle(workflowId).signal(refundRecordedSignal, {
      refundRequestNo: refund.request.refundRequestNo,
      amountFen: refund.request.amountFen,
      state,
    });
    notice.delivered = true;
  } catch (err) {
    notice.why = `the payment's workflow is closed or not here (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** The client_sn of this refund's order, from the first answer that named our order. */
function orderClientSn(refund: RefundSagaState): string | undefined {
  for (const call of refund.status.calls) if (call.order && !refund.notOurs(call)) return call.order.clientSn;
  return undefined;
}
