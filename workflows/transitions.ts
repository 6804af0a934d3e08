/**
 * Every way a payment's state and its revoke can change: the saga's state machine as a table. Start
 * reading here. SagaState (saga-state.ts) applies a change only if it is a row below and refuses any
 * other; the README's diagram is generated from these rows (`npm run docs:states`, checked by
 * test/unit/transitions.test.ts).
 */
import type { PaymentState, RevokeStatus } from './types';

export interface StateTransition {
  from: PaymentState;
  to: PaymentState;
  /** Why the payment moves: what call sites pass, and the label in the diagram. */
  why: string;
  /**
   * The gateway must confirm this state before the workflow closes (one query at the end of the
   * revoke window): the state was reached late, or set by a person, and either can be wrong.
   */
  checkAtClose?: true;
  /** Only payments started before the money rules (patch `money-rules`) may take this row. */
  legacy?: true;
}

const RESOLUTION = 'operator resolution';
const CLOSE_CHECK = 'gateway disagrees at close';
/** Money rules R1: an answer about an order that is not this payment's counts for nothing; a person looks. */
const ANOTHER_ORDER = 'answer about another order';
/** Money rules R6: a Temporal cancellation request before the outcome means "do not take this money". */
const DO_NOT_TAKE = 'cancellation requested: do not take this money';
/** The gateway forbids a revoke after a refund: none is sent, the operator is told to refund instead. */
const REFUNDED_USE_REFUND = 'refunded at the gateway: revoke not sent, use refund';
/** An operator's recheck (the customer says the money moved): the gateway shows otherwise; a person looks. */
const RECHECK = 'recheck: the gateway disagrees';

export const STATE_TRANSITIONS = [
  // pay
  { from: 'PAYING', to: 'PAID', why: 'pay succeeded' },
  { from: 'PAYING', to: 'FAILED', why: 'pay definitely failed, or was not sent' },
  { from: 'PAYING', to: 'CONFIRMING', why: 'pay in progress or without an answer' },
  { from: 'PAYING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  { from: 'PAYING', to: 'FAILED', why: 'cancellation requested before pay was sent' },
  { from: 'PAYING', to: 'CANCELING', why: DO_NOT_TAKE },
  { from: 'PAYING', to: 'CONFIRMING', why: 'a reset run: pay not sent again, the order queried' },
  // confirm
  { from: 'CONFIRMING', to: 'PAID', why: 'confirm query: PAID' },
  { from: 'CONFIRMING', to: 'FAILED', why: 'confirm query: PAY_CANCELED or no order' },
  {
    from: 'CONFIRMING',
    to: 'FAILED',
    why: 'confirm query: no order, and no pay of ours can still arrive',
    checkAtClose: true,
  },
  { from: 'CONFIRMING', to: 'CANCELED', why: 'confirm query: CANCELED' },
  { from: 'CONFIRMING', to: 'NEEDS_ATTENTION', why: 'confirm query: order refunded' },
  { from: 'CONFIRMING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  { from: 'CONFIRMING', to: 'NEEDS_ATTENTION', why: 'confirm window ended: no order proved ours to cancel' },
  { from: 'CONFIRMING', to: 'CANCELING', why: 'confirm window ended unconfirmed' },
  { from: 'CONFIRMING', to: 'CANCELING', why: DO_NOT_TAKE },
  // compensate (冲正)
  { from: 'CANCELING', to: 'CANCELED', why: 'cancel succeeded, or query: reversed' },
  { from: 'CANCELING', to: 'FAILED', why: 'cancel-check query: no order', legacy: true },
  {
    from: 'CANCELING',
    to: 'FAILED',
    why: 'cancel-check query: no order, and no pay of ours can still arrive',
    checkAtClose: true,
  },
  {
    from: 'CANCELING',
    to: 'PAID',
    why: 'cancel-check query: PAID, no reversal underway',
    checkAtClose: true,
    legacy: true,
  },
  { from: 'CANCELING', to: 'NEEDS_ATTENTION', why: 'cancel refused, order refunded, or cancel deadline' },
  { from: 'CANCELING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  // hold: revoke (手动撤单)
  { from: 'PAID', to: 'REVOKING', why: 'revoke requested' },
  { from: 'REVOKING', to: 'REVOKED', why: 'revoke succeeded, or query: CANCELED' },
  { from: 'REVOKING', to: 'PAID', why: 'revoke refused, the money stayed' },
  // the look shows a refund (the gateway forbids a revoke after one): checked at close against the refunds told
  { from: 'REVOKING', to: 'PAID', why: REFUNDED_USE_REFUND, checkAtClose: true },
  { from: 'REVOKING', to: 'NEEDS_ATTENTION', why: 'revoke without a definite answer, or order not PAID' },
  { from: 'REVOKING', to: 'NEEDS_ATTENTION', why: ANOTHER_ORDER },
  // hold: a person decides (R7: a resolution for every state the gateway can report)
  { from: 'NEEDS_ATTENTION', to: 'PAID', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'FAILED', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'CANCELED', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'REVOKED', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'REFUNDED', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'PARTIAL_REFUNDED', why: RESOLUTION, checkAtClose: true },
  { from: 'NEEDS_ATTENTION', to: 'SETTLED_OUTSIDE', why: RESOLUTION, checkAtClose: true },
  // hold: the check at close (a late or doubtful outcome, any resolution but SETTLED_OUTSIDE)
  { from: 'PAID', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  { from: 'FAILED', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  { from: 'CANCELED', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  { from: 'REVOKED', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  { from: 'REFUNDED', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  { from: 'PARTIAL_REFUNDED', to: 'NEEDS_ATTENTION', why: CLOSE_CHECK },
  // hold: an operator's recheck finds the gateway showing something else
  { from: 'PAID', to: 'NEEDS_ATTENTION', why: RECHECK },
  { from: 'FAILED', to: 'NEEDS_ATTENTION', why: RECHECK },
  { from: 'CANCELED', to: 'NEEDS_ATTENTION', why: RECHECK },
  { from: 'REVOKED', to: 'NEEDS_ATTENTION', why: RECHECK },
  { from: 'REFUNDED', to: 'NEEDS_ATTENTION', why: RECHECK },
  { from: 'PARTIAL_REFUNDED', to: 'NEEDS_ATTENTION', why: RECHECK },
  // hold: a refund the payment was told of (issue #16 part 3) had not concluded when the wait at close ended
  { from: 'PAID', to: 'NEEDS_ATTENTION', why: 'a refund told of not concluded at close' },
] as const satisfies readonly StateTransition[];

/** The reasons a payment may move, as call sites name them. */
export type TransitionWhy = (typeof STATE_TRANSITIONS)[number]['why'];

/** The row that allows this move, if any; legacy rows only for payments under the legacy rules. */
export function findTransition(
  from: PaymentState,
  to: PaymentState,
  why: TransitionWhy,
  rules: SagaRules = 'money-rules',
): StateTransition | undefined {
  return (STATE_TRANSITIONS as readonly StateTransition[]).find(
    (t) => t.from === from && t.to === to && t.why === why && (!t.legacy || rules === 'legacy'),
  );
}

/**
 * Which rules a payment runs under: `money-rules` (../shared/spec/money-rules.md) for every payment
 * started since the patch of that name; `legacy` for one started before it, replayed as it ran.
 */
export type SagaRules = 'legacy' | 'money-rules';

/** A revoke's life: requested by a handler, carried out (or set aside) by the main flow. */
export interface RevokeTransition {
  from: RevokeStatus | 'NONE';
  to: RevokeStatus;
  why: string;
}

export const REVOKE_TRANSITIONS = [
  { from: 'NONE', to: 'PENDING', why: 'operator asked (signal or update)' },
  { from: 'PENDING', to: 'IN_PROGRESS', why: 'payment is PAID and the window open' },
  { from: 'PENDING', to: 'REFUSED', why: 'the revoke window closed before it could run' },
  { from: 'PENDING', to: 'NOT_NEEDED', why: 'payment ended without the money' },
  { from: 'PENDING', to: 'REFUSED', why: 'a refund of the payment was told of: use refund (nothing sent)' },
  { from: 'IN_PROGRESS', to: 'REVOKED', why: 'reversed at the gateway' },
  { from: 'IN_PROGRESS', to: 'REFUSED', why: 'the gateway refused, the money stayed' },
  { from: 'IN_PROGRESS', to: 'REFUSED', why: 'the look shows the order refunded: use refund (nothing sent)' },
  { from: 'IN_PROGRESS', to: 'NEEDS_ATTENTION', why: 'no definite answer, or order not PAID' },
] as const satisfies readonly RevokeTransition[];

export function isRevokeTransition(from: RevokeStatus | 'NONE', to: RevokeStatus): boolean {
  return REVOKE_TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** A move the table does not allow: a bug. It fails the workflow task (retried, visible), never the money. */
export class IllegalTransitionError extends Error {
  constructor(what: string) {
    super(`illegal transition: ${what}`);
    this.name = 'IllegalTransitionError';
  }
}
