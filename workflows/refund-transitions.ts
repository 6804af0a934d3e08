/**
 * Every way a refund's state can change: the refund's state machine as a table (as transitions.ts is
 * the payment's). RefundSagaState (refund-state.ts) applies a change only if it is a row below.
 */
import type { RefundState } from './refund-types';

export interface RefundTransition {
  from: RefundState;
  to: RefundState;
  /** Why the refund moves: what call sites pass. */
  why: string;
}

const RESOLUTION = 'operator resolution';
/** Money rules R1: an answer about another order (or another refund) counts for nothing; a person looks. */
const ANOTHER_ORDER = 'answer about another order or refund';

export const REFUND_TRANSITIONS = [
  // look (query before anything is sent)
  { from: 'LOOKING', to: 'REFUNDING', why: 'look: our order, PAID or PARTIAL_REFUNDED, enough net_amount' },
  { from: 'LOOKING', to: 'REFUSED', why: 'look: no such order, not refundable, or not enough net_amount' },
  { from: 'LOOKING', to: 'REFUNDED', why: 'look: this refund is already done at the gateway' },
  { from: 'LOOKING', to: 'NEEDS_ATTENTION', why: 'look: no refundable answer by the deadline, nothing sent' },
  { from: 'LOOKING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  // refund, retried with the same refund_request_no
  { from: 'REFUNDING', to: 'REFUNDED', why: 'refund succeeded, or query: this refund done' },
  { from: 'REFUNDING', to: 'REFUSED', why: 'refund refused, no attempt of ours in doubt' },
  {
    from: 'REFUNDING',
    to: 'NEEDS_ATTENTION',
    why: 'no definite refund answer by the deadline, or a refusal after an attempt in doubt',
  },
  { from: 'REFUNDING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  // a person decides (R7)
  { from: 'NEEDS_ATTENTION', to: 'REFUNDED', why: RESOLUTION },
  { from: 'NEEDS_ATTENTION', to: 'NOT_REFUNDED', why: RESOLUTION },
  { from: 'NEEDS_ATTENTION', to: 'SETTLED_OUTSIDE', why: RESOLUTION },
] as const satisfies readonly RefundTransition[];

export type RefundTransitionWhy = (typeof REFUND_TRANSITIONS)[number]['why'];

export function findRefundTransition(
  from: RefundState,
  to: RefundState,
  why: RefundTransitionWhy,
): RefundTransition | undefined {
  return (REFUND_TRANSITIONS as readonly RefundTransition[]).find(
    (t) => t.from === from && t.to === to && t.why === why,
  );
}
