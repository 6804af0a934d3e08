import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { unreachable } from './decisions';
import { afterLook, afterRefund, afterRefundCheck, showsOurRefund } from './refund-decisions';
import { admitRefund, refundGateway } from './refund-gateway';
import { installRefundHandlers } from './refund-messages';
import { tellPayment } from './refund-notice';
import {
  countInvalidRefund,
  countRefundAttempt,
  countRefundClosed,
  countRefundOutcome,
  countRefundResolution,
} from './refund-metrics';
import { RefundSagaState } from './refund-state';
import { refundSchedule, resolveRefundTiming } from './refund-timing';
import type { RefundTransitionWhy } from './refund-transitions';
import { INVALID_REFUND_REQUEST, refundNoOf, type RefundRequest, type RefundStatus } from './refund-types';
import { AGAIN, onSchedule } from './schedule';
import type { PaymentRefundState } from './types';
import { describeProblems } from './validation';

type Outcome =
  | { to: 'REFUNDED'; why: RefundTransitionWhy }
  | { to: 'REFUSED'; code: string; detail: string; why: RefundTransitionWhy }
  | { to: 'NEEDS_ATTENTION'; reason: string; why: RefundTransitionWhy }
  | { to: 'REFUNDING' };

const ANOTHER = 'answer about another order or refund' as const;

/**
 * One refund (退款) of a paid order, by its refund_request_no (issue #16): look at the order first, then
 * refund, retrying with the same refund_request_no on a deterministic schedule until the gateway gives a
 * definite answer; a person decides what no answer settles. Ends REFUNDED, REFUSED, or (after
 * NEEDS_ATTENTION) as an operator resolved it. README "Refunds" has the decision table.
 */
export async function refundSaga(request: RefundRequest): Promise<RefundStatus> {
  const startedAt = workflowInfo().startTime.getTime();
  const asStarted = typeof request === 'object' && request !== null ? request : ({} as RefundRequest); // a UI start may send anything
  const refund = new RefundSagaState(asStarted, resolveRefundTiming(undefined, startedAt), startedAt);
  installRefundHandlers(refund); // first: the returns desk's outcome update arrives with the start
  const root = CancellationScope.current();
  // A refund never stops half-way: a Temporal cancellation request is recorded and ignored (R6).
  return CancellationScope.nonCancellable(async () => {
    const admission = await admitRefund({ request, startedAt });
    if (!admission.admitted) {
      countInvalidRefund();
      throw ApplicationFailure.create({
        type: INVALID_REFUND_REQUEST,
        message: `invalid refund request: ${describeProblems(admission.problems)}`,
        nonRetryable: true,
        details: [admission.problems],
      });
    }
    refund.useTiming(admission.timing);
    refund.init();
    settle(refund, await findOutcome(refund));
    countRefundOutcome(refund.status);
    await tellPayment(refund, outcomeState(refund));
    if (refund.state === 'NEEDS_ATTENTION') {
      await awaitResolution(refund);
      await tellPayment(refund, outcomeState(refund));
    }
    refund.markClosed();
    if (root.consideredCancelled)
      refund.ignore('cancel', 'a Temporal cancellation request: a refund is carried to a definite end, never dropped');
    await condition(allHandlersFinished);
    countRefundClosed(refund.status);
    return refund.status;
  });
}

async function findOutcome(refund: RefundSagaState): Promise<Outcome> {
  const looked = await lookPhase(refund);
  if (looked.to !== 'REFUNDING') return looked;
  refund.move('REFUNDING', 'look: our order, PAID or PARTIAL_REFUNDED, enough net_amount');
  await tellPayment(refund, 'REFUNDING'); // before anything is sent: the payment refuses a revoke from now on
  return refundPhase(refund);
}

/** The refund's state as the payment is told it (never LOOKING or REFUNDING once it has an outcome). */
function outcomeState(refund: RefundSagaState): PaymentRefundState {
  const state = refund.state;
  if (state === 'LOOKING' || state === 'REFUNDING') throw new Error(`unreachable: no outcome yet (${state})`);
  return state;
}

/** Query the order before anything is sent: our order, refundable, with enough net_amount. */
async function lookPhase(refund: RefundSagaState): Promise<Outcome> {
  const outcome = await onSchedule(refundSchedule(refund.timing), async (n): Promise<Outcome | typeof AGAIN> => {
    const look = refund.record('look-query', n, await refundGateway.query(refund.orderRef()));
    const another = refund.notOurs(look);
    if (another) return { to: 'NEEDS_ATTENTION', reason: `${another}; no refund sent`, why: ANOTHER };
    const decision = afterLook(look, refund.request.amountFen);
    switch (decision.next) {
      case 'SEND':
        refund.pinOrder(decision);
        return { to: 'REFUNDING' };
      case 'REFUSE':
        return (
          (await alreadyDone(refund)) ?? {
            to: 'REFUSED',
            code: decision.code,
            detail: decision.detail,
            why: REFUSED_BY_LOOK,
          }
        );
      case 'LOOK_AGAIN':
        return AGAIN;
      default:
        return unreachable(decision);
    }
  });
  return (
    outcome ?? {
      to: 'NEEDS_ATTENTION',
      reason: 'no answer showed the order refundable before the deadline; no refund was sent',
      why: 'look: no refundable answer by the deadline, nothing sent',
    }
  );
}

const REFUSED_BY_LOOK = 'look: no such order, not refundable, or not enough net_amount' as const;

/**
 * The look says no (fully refunded, not enough left): perhaps because this very refund is already done
 * (started before under another order reference). One query by refund_request_no tells.
 */
async function alreadyDone(refund: RefundSagaState): Promise<Outcome | undefined> {
  const check = refund.record(
    'refund-check-query',
    1,
    await refundGateway.query({ ...refund.orderRef(), refundRequestNo: refund.request.refundRequestNo }),
  );
  if (refund.notOurs(check) || !showsOurRefund(check, refund.request.refundRequestNo)) return undefined;
  return { to: 'REFUNDED', why: 'look: this refund is already done at the gateway' };
}

/** Refund with the same refund_request_no on the schedule until definite; the deadline hands it to a person. */
async function refundPhase(refund: RefundSagaState): Promise<Outcome> {
  const no = refund.request.refundRequestNo;
  let checks = 0;
  let lastRefusal: string | undefined;
  const outcome = await onSchedule(refundSchedule(refund.timing), async (n): Promise<Outcome | typeof AGAIN> => {
    const sentAt = Date.now();
    const answer = refund.record(
      'refund',
      n,
      await refundGateway.refund({
        ...refund.orderRef(),
        refundRequestNo: no,
        amountFen: refund.request.amountFen,
        operator: refund.request.operator,
        sendBy: refund.timing.deadline,
      }),
    );
    countRefundAttempt(answer);
    const another = refund.notOurs(answer);
    if (another) return { to: 'NEEDS_ATTENTION', reason: another, why: ANOTHER };
    const decision = afterRefund(answer, refund.doubt(sentAt));
    const notSent = answer.transportError === 'SEND_DEADLINE'; // held back at the deadline: nothing to doubt
    if ((answer.kind === 'unknown' || answer.kind === 'in_progress') && !notSent) refund.inDoubtFrom(sentAt);
    switch (decision.next) {
      case 'REFUNDED':
        return { to: 'REFUNDED', why: 'refund succeeded, or query: this refund done' };
      case 'REFUSED':
        return {
          to: 'REFUSED',
          code: decision.code,
          detail: `the gateway refused the refund (${answer.reason})`,
          why: 'refund refused, no attempt of ours in doubt',
        };
      case 'CHECK':
        break;
      default:
        return unreachable(decision);
    }
    if (decision.refusal !== undefined) lastRefusal = decision.refusal;
    checks = n;
    const check = refund.record(
      'refund-check-query',
      n,
      await refundGateway.query({ ...refund.orderRef(), refundRequestNo: no }),
    );
    const checkedAnother = refund.notOurs(check);
    if (checkedAnother) return { to: 'NEEDS_ATTENTION', reason: checkedAnother, why: ANOTHER };
    const next = afterRefundCheck(check, no, decision.refusal, refund.doubt(Date.now()));
    switch (next.next) {
      case 'REFUNDED':
        return { to: 'REFUNDED', why: 'refund succeeded, or query: this refund done' };
      case 'ESCALATE':
        return { to: 'NEEDS_ATTENTION', reason: next.reason, why: STUCK };
      case 'REFUND_AGAIN':
        return AGAIN;
      default:
        return unreachable(next);
    }
  });
  return outcome ?? (await afterDeadline(refund, checks + 1, lastRefusal));
}

const STUCK = 'no definite refund answer by the deadline, or a refusal after an attempt in doubt' as const;

/**
 * The deadline passed without a definite answer. Nothing more is sent; while a refund of ours may still
 * take effect, the gateway is asked by refund_request_no until it shows the refund or the doubt is over.
 */
async function afterDeadline(
  refund: RefundSagaState,
  firstCheck: number,
  lastRefusal: string | undefined,
): Promise<Outcome> {
  const no = refund.request.refundRequestNo;
  for (let n = firstCheck; refund.doubt(Date.now()).inDoubt; n++) {
    await sleep(Math.max(1, Math.min(refund.timing.checkIntervalMs, refund.doubtEnds - Date.now())));
    const check = refund.record(
      'refund-check-query',
      n,
      await refundGateway.query({ ...refund.orderRef(), refundRequestNo: no }),
    );
    const another = refund.notOurs(check);
    if (another) return { to: 'NEEDS_ATTENTION', reason: another, why: ANOTHER };
    if (showsOurRefund(check, no)) return { to: 'REFUNDED', why: 'refund succeeded, or query: this refund done' };
  }
  const last = lastRefusal ? ` (last refusal: ${lastRefusal})` : '';
  return { to: 'NEEDS_ATTENTION', reason: `no definite refund answer before the deadline${last}`, why: STUCK };
}

function settle(refund: RefundSagaState, outcome: Outcome): void {
  switch (outcome.to) {
    case 'REFUNDED':
      refund.move('REFUNDED', outcome.why);
      return;
    case 'REFUSED':
      refund.refuse(outcome.code, outcome.detail, outcome.why);
      return;
    case 'NEEDS_ATTENTION':
      refund.escalate(outcome.reason, outcome.why);
      return;
    case 'REFUNDING':
      throw new Error('unreachable: the look handed over to the refund phase');
    default:
      unreachable(outcome);
  }
}

/** A person decides (R7); the gateway's word about this refund is kept beside the resolution. */
async function awaitResolution(refund: RefundSagaState): Promise<void> {
  await condition(() => refund.resolveRequested);
  refund.applyResolution();
  countRefundResolution(refund.status);
  const no = refund.request.refundRequestNo;
  const check = refund.record(
    'resolve-check-query',
    1,
    await refundGateway.query({ ...refund.orderRef(), refundRequestNo: no }),
  );
  const o = check.order;
  refund.noteGatewayAtResolve(
    o
      ? `${o.orderStatus}, refund ${refundNoOf(check) ?? '?'} ${o.flowStatus ?? '?'}`
      : (check.errorCode ?? check.reason),
  );
}
