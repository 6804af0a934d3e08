import { CancellationScope, condition, setHandler } from '@temporalio/workflow';
import { refundOutcomeUpdate, refundResolveSignal, refundResolveUpdate, refundStatusQuery } from './refund-definitions';
import type { RefundSagaState } from './refund-state';
import { REFUND_OUTCOME_STATES, type RefundResolveRequest } from './refund-types';
import { validateRefundResolveRequest } from './refund-validation';
import { describeProblems } from './validation';

/** A handler's wait that a Temporal cancellation request does not end: the refund goes on, so does the answer. */
function untilEvenIfCancelled(fn: () => boolean): Promise<void> {
  return CancellationScope.nonCancellable(() => condition(fn));
}

function resolveRejection(refund: RefundSagaState, request: unknown): string | undefined {
  const problems = validateRefundResolveRequest(request);
  if (problems.length > 0) return describeProblems(problems);
  if (refund.state !== 'NEEDS_ATTENTION') return `refund is ${refund.state}; resolve applies to NEEDS_ATTENTION only`;
  if (refund.resolveRequested) return 'a resolution is already being applied';
  return undefined;
}

/**
 * Handlers only record intent; the main flow makes every gateway call. A signal that cannot be
 * honoured is kept in `status.ignored`; the update's validator refuses before anything enters history.
 */
export function installRefundHandlers(refund: RefundSagaState): void {
  setHandler(refundStatusQuery, () => refund.status, { description: 'The whole state of the refund' });

  setHandler(
    refundResolveSignal,
    (request: RefundResolveRequest) => {
      const why = resolveRejection(refund, request);
      if (why) refund.ignore('resolve', why);
      else refund.requestResolve(request);
    },
    {
      description:
        'Operator decision on NEEDS_ATTENTION: {"operator","resolution":"REFUNDED|NOT_REFUNDED|SETTLED_OUTSIDE","note","reference"}',
    },
  );

  setHandler(
    refundResolveUpdate,
    async (request: RefundResolveRequest) => {
      refund.requestResolve(request);
      await untilEvenIfCancelled(() => refund.state !== 'NEEDS_ATTENTION' && refund.status.settledAt !== undefined);
      return refund.status;
    },
    {
      validator: (request: RefundResolveRequest) => {
        const why = resolveRejection(refund, request);
        if (why) throw new Error(why);
      },
      description: 'Operator decision for programs: rejected when not allowed, else returns the final status',
    },
  );

  setHandler(
    refundOutcomeUpdate,
    async () => {
      await untilEvenIfCancelled(() => REFUND_OUTCOME_STATES.includes(refund.state));
      return refund.status;
    },
    { description: 'Completes when the refund has its outcome (early return for the returns desk)' },
  );
}
