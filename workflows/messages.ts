import { CancellationScope, condition, patched, setHandler } from '@temporalio/workflow';
import {
  outcomeUpdate,
  recheckSignal,
  recheckUpdate,
  refundRecordedSignal,
  resolveSignal,
  revokeSignal,
  revokeUpdate,
  statusQuery,
} from './definitions';
import { PAYMENT_KNOWS_REFUNDS, refundNoticeRejection } from './payment-refunds';
import { RECHECK } from './recheck';
import type { SagaState } from './saga-state';
import { revokeWindowOpen } from './timing';
import {
  OUTCOME_STATES,
  type PaymentState,
  type RecheckRequest,
  type RefundNotice,
  type ResolveRequest,
  type RevokeRequest,
} from './types';
import { describeProblems, validateRecheckRequest, validateResolveRequest, validateRevokeRequest } from './validation';

/** A revoke is remembered in these states; it runs only if the payment is (or turns out) PAID. */
const REVOKE_ACCEPTED_IN: readonly PaymentState[] = ['PAYING', 'CONFIRMING', 'CANCELING', 'PAID'];

/** Why a revoke cannot be accepted now, or undefined if it can. */
function revokeRejection(saga: SagaState, request: unknown): string | undefined {
  const problems = validateRevokeRequest(request);
  if (problems.length > 0) return describeProblems(problems);
  const { revoke, state, timing } = saga.status;
  if (revoke)
    return `a revoke was already requested at ${new Date(revoke.requestedAt).toISOString()} (revoke is allowed once)`;
  if (!REVOKE_ACCEPTED_IN.includes(state)) return `payment is ${state}; only a PAID payment can be revoked`;
  if (!revokeWindowOpen(timing, Date.now()))
    return 'the revoke window has closed (same business day only, Asia/Shanghai)';
  return undefined;
}

function recheckRejection(saga: SagaState, request: unknown): string | undefined {
  const problems = validateRecheckRequest(request);
  if (problems.length > 0) return describeProblems(problems);
  if (saga.closing) return `payment closed as ${saga.state}; nothing more is asked of the gateway`;
  return undefined;
}

/**
 * Waits in a handler. Under R6 (patch `cancel-request-compensates`) a cancellation request must not
 * fail the checkout's or the operator's update: handlers run in the root scope, which it cancels.
 */
function waitFor(saga: SagaState, fn: () => boolean): Promise<void> {
  return saga.honoursCancellation ? CancellationScope.nonCancellable(() => condition(fn)) : condition(fn);
}

function resolveRejection(saga: SagaState, request: unknown): string | undefined {
  const problems = validateResolveRequest(request);
  if (problems.length > 0) return describeProblems(problems);
  if (saga.state !== 'NEEDS_ATTENTION') return `payment is ${saga.state}; resolve applies to NEEDS_ATTENTION only`;
  return undefined;
}

/**
 * Handlers only record intent; the main flow makes every gateway call, so two reversals can never
 * run at once. Signals cannot be refused, so a signal that cannot be honoured is recorded in
 * `status.ignored`; the update's validator refuses before anything enters history.
 */
export function installHandlers(saga: SagaState): void {
  setHandler(statusQuery, () => saga.status, { description: 'The whole state of the payment' });

  setHandler(
    revokeSignal,
    (request: RevokeRequest) => {
      const why = revokeRejection(saga, request);
      if (why) saga.ignore('revoke', why);
      else saga.requestRevoke(request, 'signal');
    },
    { description: '手动撤单 (same day, PAID only): {"operator":"…","reason":"…"}' },
  );

  setHandler(
    revokeUpdate,
    async (request: RevokeRequest) => {
      const revoke = saga.requestRevoke(request, 'update');
      // Answer once the revoke is decided, or once the payment waits for a person: the revoke stays
      // remembered (PENDING) and runs after a PAID resolution, but the caller must not hang for hours.
      const decided = () => revoke.status !== 'PENDING' && revoke.status !== 'IN_PROGRESS';
      await waitFor(saga, () => decided() || saga.state === 'NEEDS_ATTENTION');
      return { state: saga.state, revoke };
    },
    {
      validator: (request: RevokeRequest) => {
        const why = revokeRejection(saga, request);
        if (why) throw new Error(why);
      },
      description: '手动撤单 for programs: rejected when not allowed, else returns the result',
    },
  );

  setHandler(
    resolveSignal,
    (request: ResolveRequest) => {
      const why = resolveRejection(saga, request);
      if (why) saga.ignore('resolve', why);
      else if (request.refund !== undefined && !patched(PAYMENT_KNOWS_REFUNDS))
        saga.ignore('resolve', 'refund is not a known field'); // replay of a history from before the patch only
      else saga.requestResolve(request);
    },
    {
      description:
        'Operator decision on NEEDS_ATTENTION: {"operator","resolution":"PAID|FAILED|CANCELED|REVOKED|REFUNDED|PARTIAL_REFUNDED|SETTLED_OUTSIDE","note","reference"}; PAID may carry "refund":{"refundRequestNo","amountFen"} (money kept, give it back: the payment starts that refund)',
    },
  );

  setHandler(
    recheckSignal,
    (request: RecheckRequest) => {
      const why = recheckRejection(saga, request);
      if (why) saga.ignore('recheck', why);
      else if (!patched(RECHECK))
        saga.ignore('recheck', 'this run predates recheck'); // replay of such a history only
      else saga.requestRecheck(request, 'signal');
    },
    {
      description:
        'The customer says the money moved: query the gateway now and act on it: {"operator":"…","note":"…"}',
    },
  );

  setHandler(
    recheckUpdate,
    async (request: RecheckRequest) => {
      patched(RECHECK);
      const record = saga.requestRecheck(request, 'update');
      await CancellationScope.nonCancellable(() => condition(() => record.answeredAt !== undefined));
      return record;
    },
    {
      validator: (request: RecheckRequest) => {
        const why = recheckRejection(saga, request);
        if (why) throw new Error(why);
      },
      description: 'Recheck for programs: returns the gateway answer and what the saga did with it',
    },
  );

  setHandler(
    refundRecordedSignal,
    (notice: RefundNotice) => {
      const why = refundNoticeRejection(notice, saga.state, saga.closing);
      if (why) saga.ignore('refund', why);
      else if (!patched(PAYMENT_KNOWS_REFUNDS))
        saga.ignore('refund', 'this run predates refund notices'); // replay of such a history only
      else saga.recordRefund(notice);
    },
    {
      description:
        'Sent by a refund workflow of this order: {"refundRequestNo":"…","amountFen":…,"state":"REFUNDING|REFUNDED|REFUSED|NEEDS_ATTENTION|NOT_REFUNDED|SETTLED_OUTSIDE"}',
    },
  );

  setHandler(
    outcomeUpdate,
    async () => {
      await waitFor(saga, () => OUTCOME_STATES.includes(saga.state));
      return saga.status;
    },
    { description: 'Completes when the pay outcome is known (early return for the checkout)' },
  );
}
