import { deprecatePatch, patched } from '@temporalio/workflow';
import { afterRevokeQuery, beforeRevoke, refundedUseRefund, refusalOf, showsReversed, unreachable } from './decisions';
import { queryUntilDoubtEnds } from './doubt';
import { gateway } from './gateway-steps';
import { PAYMENT_KNOWS_REFUNDS } from './payment-refunds';
import { countRevoke } from './metrics';
import type { SagaState } from './saga-state';
import { AGAIN, onSchedule } from './schedule';
import { revokeSchedule, revokeWindowOpen } from './timing';

/** Patch id of "query the order before the first revoke" (2026-11-26; deprecated 2026-12-02). */
export const QUERY_BEFORE_REVOKE = 'query-before-revoke';
/** Patch id: a refusal after an earlier unknown revoke answer is no proof (2026-11-26, fuzz seed 1898; deprecated 2026-12-02). */
export const REFUSAL_AFTER_UNKNOWN_REVOKE = 'refusal-after-unknown-revoke';

/**
 * Patch id (2026-12-03): a revoke held back at the window's end (it could not reach the gateway in
 * time, ARRIVAL_MARGIN_MS) was never sent, so it is the refusal it amounts to: with the order PAID
 * and no earlier attempt in doubt the revoke is REFUSED at once, instead of trying again (every later
 * attempt is held back too) and going to a person when the window closes. Asked only when it happens.
 */
export const REVOKE_HELD_BACK_REFUSED = 'revoke-held-back-refused';
const HELD_BACK = 'the revoke window closed before the revoke could be sent';

/**
 * Patch id (2026-12-03, fuzz seed 1898 of generator 1 under revoke-held-back-refused): a refusal (or a
 * revoke held back) while the order's status is unknown proves nothing once an earlier attempt was in
 * doubt, even one whose doubt has run out: it may have landed. Before, such a refusal was REFUSED while
 * the gateway held the order CANCELED. Asked only when it changes the decision.
 */
export const REFUSAL_NEEDS_STATUS_AFTER_DOUBT = 'refusal-needs-status-after-doubt';

type RevokeOutcome =
  | { next: 'REVOKED' | 'REFUSED'; detail?: string }
  | { next: 'REFUNDED'; detail: string }
  | { next: 'ESCALATE'; reason: string; why?: 'answer about another order' };

/**
 * Hold phase, revoke (手动撤单) of a PAID order, carried out by the main flow only (handlers just
 * record intent): look first, then revoke on the revoke schedule until the window closes.
 */
export async function revokePhase(saga: SagaState): Promise<void> {
  saga.moveRevoke('IN_PROGRESS');
  saga.move('REVOKING', 'revoke requested');
  finishRevoke(saga, (await lookBeforeRevoke(saga)) ?? (await revokeOnSchedule(saga)));
}

/** Query first: an order already reversed, refunded or unknown at the gateway gets no revoke. */
async function lookBeforeRevoke(saga: SagaState): Promise<RevokeOutcome | undefined> {
  // Every payment open today started after this patch; the call stays until none recorded without it is open.
  deprecatePatch(QUERY_BEFORE_REVOKE);
  const answer = saga.record('revoke-look-query', 1, await gateway.query(saga.orderRef()));
  const another = saga.anotherOrder(answer);
  if (another) return { next: 'ESCALATE', reason: `${another}; revoke not sent`, why: 'answer about another order' };
  // The patch is asked only when the look shows a refund: payments that met one before it went to a person.
  const look = beforeRevoke(answer, () => patched(PAYMENT_KNOWS_REFUNDS));
  switch (look.next) {
    case 'SEND_REVOKE':
      return undefined;
    case 'ALREADY_REVOKED':
      return { next: 'REVOKED', detail: 'already CANCELED at the gateway; no revoke sent' };
    case 'REFUNDED':
      return { next: 'REFUNDED', detail: refundedUseRefund(`the look shows the order ${look.orderStatus}`) };
    case 'ESCALATE':
      return look;
    default:
      return unreachable(look);
  }
}

/**
 * Revoke on the revoke schedule until the window closes. A revoke without a definite answer may
 * still reverse the money (R3): until it can no longer, neither a refusal nor PAID proves the money
 * stayed, and a schedule that ends in doubt is waited out before the revoke is reported.
 */
async function revokeOnSchedule(saga: SagaState): Promise<RevokeOutcome> {
  let earlierUnknown = false; // legacy rules: an earlier attempt may have reversed the money without telling us
  let earlierSentInDoubt = false; // an earlier attempt reached the gateway, or may have, without a definite answer
  let lastRefusal: string | undefined;
  let attempts = 0;
  const outcome = await onSchedule(revokeSchedule(saga.timing), async (n): Promise<RevokeOutcome | typeof AGAIN> => {
    attempts = n;
    // Same business day only: nothing is sent once the window has closed (the look may have taken long).
    if (!revokeWindowOpen(saga.timing, Date.now())) {
      if (saga.rules === 'money-rules') return afterWindow(saga, n, lastRefusal);
      if (n > 1) return { next: 'ESCALATE', reason: 'the revoke window closed after an unknown revoke answer' };
      return { next: 'REFUSED', detail: HELD_BACK };
    }
    const sentAt = Date.now();
    const ref =
      saga.rules === 'money-rules' ? { ...saga.orderRef(), sendBy: saga.timing.revokeWindowEnd } : saga.orderRef();
    const answer = saga.record('revoke', n, await gateway.revoke(ref));
    const another = saga.anotherOrder(answer);
    if (another) return { next: 'ESCALATE', reason: another, why: 'answer about another order' };
    if (answer.kind === 'success') return { next: 'REVOKED' };
    const inDoubtBefore = saga.rules === 'legacy' ? earlierUnknown : saga.reversalInDoubt(sentAt);
    const notSent = answer.transportError === 'SEND_DEADLINE'; // held back at the window's end: nothing to doubt
    if ((answer.kind === 'unknown' || answer.kind === 'in_progress') && !notSent) saga.reversalInDoubtFrom(sentAt);
    const heldBack = notSent && saga.rules === 'money-rules' && patched(REVOKE_HELD_BACK_REFUSED);
    const refusal = refusalOf(answer) ?? (heldBack ? HELD_BACK : undefined);
    if (refusal) lastRefusal = refusal;
    const query = saga.record('revoke-check-query', n, await gateway.query(saga.orderRef()));
    const queried = saga.anotherOrder(query);
    if (queried) return { next: 'ESCALATE', reason: queried, why: 'answer about another order' };
    if (earlierUnknown) deprecatePatch(REFUSAL_AFTER_UNKNOWN_REVOKE);
    let decision = afterRevokeQuery(query, refusal, inDoubtBefore, saga.rules);
    if (decision.next === 'REFUSED' && earlierSentInDoubt && saga.rules === 'money-rules') {
      const unproven = afterRevokeQuery(query, refusal, inDoubtBefore, saga.rules, true);
      if (unproven.next !== 'REFUSED' && patched(REFUSAL_NEEDS_STATUS_AFTER_DOUBT)) decision = unproven;
    }
    if (answer.kind === 'unknown' || answer.kind === 'in_progress') earlierUnknown = true;
    if ((answer.kind === 'unknown' || answer.kind === 'in_progress') && !notSent) earlierSentInDoubt = true;
    switch (decision.next) {
      case 'REVOKE_AGAIN':
        return AGAIN;
      case 'REFUSED':
        return refusal ? { next: 'REFUSED', detail: refusal } : { next: 'REFUSED' };
      default:
        return decision;
    }
  });
  if (outcome) return outcome;
  if (saga.rules === 'money-rules') return afterWindow(saga, attempts + 1, lastRefusal);
  return { next: 'ESCALATE', reason: 'no definite revoke answer before the revoke window closed' };
}

/**
 * The revoke window closed before a definite answer (money rules). Nothing more is sent; the order
 * is queried once more, or until a revoke still in doubt can no longer land, then: reversed →
 * REVOKED; PAID after a refusal → REFUSED (the money stayed); anything else → a person.
 */
async function afterWindow(
  saga: SagaState,
  nextQuery: number,
  lastRefusal: string | undefined,
): Promise<RevokeOutcome> {
  if (nextQuery === 1) return { next: 'REFUSED', detail: HELD_BACK };
  const { query: q, another } = await queryUntilDoubtEnds(saga, 'revoke-check-query', nextQuery);
  if (another) return { next: 'ESCALATE', reason: another, why: 'answer about another order' };
  if (showsReversed(q)) return { next: 'REVOKED' };
  if (lastRefusal && q.kind === 'success' && q.order?.orderStatus === 'PAID')
    return { next: 'REFUSED', detail: lastRefusal };
  return { next: 'ESCALATE', reason: 'no definite revoke answer before the revoke window closed' };
}

function finishRevoke(saga: SagaState, outcome: RevokeOutcome): void {
  switch (outcome.next) {
    case 'REVOKED':
      saga.moveRevoke('REVOKED', outcome.detail);
      saga.move('REVOKED', 'revoke succeeded, or query: CANCELED');
      break;
    case 'REFUSED':
      saga.moveRevoke('REFUSED', outcome.detail);
      saga.move('PAID', 'revoke refused, the money stayed');
      break;
    case 'REFUNDED':
      // Nothing sent; the close check compares the books with the refunds the payment was told of (R7).
      saga.moveRevoke('REFUSED', outcome.detail);
      saga.move('PAID', 'refunded at the gateway: revoke not sent, use refund');
      break;
    case 'ESCALATE':
      saga.moveRevoke('NEEDS_ATTENTION');
      saga.escalate(outcome.why ?? 'revoke without a definite answer, or order not PAID', outcome.reason);
      break;
    default:
      unreachable(outcome);
  }
  countRevoke(saga.status);
}
