import { condition, deprecatePatch } from '@temporalio/workflow';
import { disagreesAtClose, nextHoldStep, refundedUseRefund, unreachable } from './decisions';
import { yuan } from './details';
import { gateway } from './gateway-steps';
import { REFUND_WAIT_AT_CLOSE_MS } from './payment-refunds';
import { countEscalation, countResolution, countRevoke } from './metrics';
import { recheckInHold } from './recheck';
import { giveBackFromResolution } from './resolve-refund';
import { revokePhase } from './revoke';
import type { SagaState } from './saga-state';
import { revokeWindowOpen, untilRevokeWindowCloses } from './timing';

/** Patch id: a payment an operator resolved is checked against the gateway before it closes (2026-11-26; deprecated 2026-12-02). */
export const VERIFY_RESOLUTION_AT_CLOSE = 'verify-resolution-at-close';

/**
 * Phase 4, hold: from the outcome until the revoke window closes. Carries out a revoke (PAID only,
 * same day), waits for a person on NEEDS_ATTENTION, and checks a late or resolved state against the
 * gateway before closing. An operator's recheck is served first, whenever it arrives. The order of business is decisions.ts `nextHoldStep`.
 */
export async function holdPhase(saga: SagaState): Promise<void> {
  for (;;) {
    const step = nextHoldStep({
      state: saga.state,
      revokePending: saga.status.revoke?.status === 'PENDING',
      revokeWindowOpen: revokeWindowOpen(saga.timing, Date.now()),
      closeCheckNeeded: saga.closeCheckNeeded,
      recheckPending: saga.recheckPending,
      revokeBlockedByRefund: saga.revokeBlockedBy !== undefined,
      refundsToAwait: saga.refundsToAwait,
    });
    switch (step) {
      case 'RECHECK':
        await recheckInHold(saga);
        break;
      case 'AWAIT_RESOLUTION':
        await condition(() => saga.resolveRequested || saga.recheckPending);
        if (!saga.resolveRequested) break; // a recheck: served first, then wait again
        saga.applyResolution();
        countResolution(saga.status);
        await giveBackFromResolution(saga); // "money kept, give it back": the refund first, then the close
        // Every open payment was resolved with this patch; kept (same place) until none recorded without deprecation is open.
        deprecatePatch(VERIFY_RESOLUTION_AT_CLOSE);
        break;
      case 'REFUSE_REVOKE': {
        const refund = saga.revokeBlockedBy!;
        saga.moveRevoke('REFUSED', refundedUseRefund(`refund ${refund.refundRequestNo} ${refund.state}`));
        countRevoke(saga.status);
        break;
      }
      case 'REVOKE':
        await revokePhase(saga);
        break;
      case 'SET_REVOKE_ASIDE':
        if (saga.state === 'PAID') saga.moveRevoke('REFUSED', 'the revoke window closed before it could run');
        else saga.moveRevoke('NOT_NEEDED', `payment ended ${saga.state}`);
        countRevoke(saga.status);
        break;
      case 'WAIT':
        await condition(
          () => saga.status.revoke?.status === 'PENDING' || saga.recheckPending,
          untilRevokeWindowCloses(saga.timing, Date.now()),
        );
        break;
      case 'AWAIT_REFUNDS':
        await awaitRefunds(saga);
        break;
      case 'CHECK_AT_CLOSE':
        await checkAtClose(saga);
        break;
      case 'CLOSE':
        saga.markClosed();
        return;
      default:
        unreachable(step);
    }
  }
}

/**
 * One last query before closing a payment whose state was reached late or in doubt, or set by a
 * person: if the gateway disagrees (or answers about another order), a person looks again rather
 * than the books closing wrong. The gateway's answer is kept beside a resolution (R7); a payment
 * settled outside the gateway closes whatever it says.
 */
async function checkAtClose(saga: SagaState): Promise<void> {
  saga.closeCheckDone();
  const query = saga.record('close-check-query', 1, await gateway.query(saga.orderRef()));
  saga.noteGatewayAtClose(query.order?.orderStatus ?? query.errorCode ?? query.reason);
  const disagreement =
    saga.state === 'SETTLED_OUTSIDE'
      ? undefined
      : disagreesAtClose(saga.state, query, saga.anotherOrder(query), saga.payCreatedNothing, saga.refundsTold);
  if (disagreement) {
    saga.escalate('gateway disagrees at close', disagreement);
    countEscalation(saga.status, 'close');
  }
}

/**
 * The revoke window has closed on a PAID payment told of a refund that has not concluded: its books
 * may still change, so the check at close waits for the refund's workflow to say how it ended (an
 * operator's recheck is still served meanwhile). If it does not within REFUND_WAIT_AT_CLOSE_MS, a
 * person looks, told which refund.
 */
async function awaitRefunds(saga: SagaState): Promise<void> {
  const until = saga.awaitRefundsUntil(REFUND_WAIT_AT_CLOSE_MS);
  const concluded = await condition(
    () => saga.refundsInFlight.length === 0 || saga.recheckPending,
    Math.max(1, until - Date.now()),
  );
  if (concluded && saga.refundsInFlight.length === 0) return saga.refundWaitEnded();
  if (concluded) return; // a recheck: served first, then the wait goes on
  saga.refundWaitEnded();
  const open = saga.refundsInFlight.map((r) => `${r.refundRequestNo} ${yuan(r.amountFen)} ${r.state}`).join(', ');
  saga.escalate(
    'a refund told of not concluded at close',
    `refund ${open} had not concluded ${REFUND_WAIT_AT_CLOSE_MS / 60_000} min after the revoke window closed: ` +
      'the books may still change; see the refund workflow, then resolve',
  );
  countEscalation(saga.status, 'close');
}
