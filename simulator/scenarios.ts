import type {
  EchoMismatch,
  ExistingOrder,
  HeldRequest,
  LateArrival,
  OddAnswer,
  SlowRefund,
  SlowReversal,
} from './unfriendly-scenarios';

/**
 * Scenario model: how the simulated gateway behaves for one order (attached to its client_sn before pay).
 * An order without a scenario pays immediately (PAY_SUCCESS). The unfriendly knobs are in unfriendly-scenarios.ts.
 */

/** How an answer is lost or garbled on the way back. */
export type Fault =
  | 'reset' // socket destroyed, no HTTP response
  | 'hang' // never answered until the client gives up (or the simulator closes)
  | 'system-error' // HTTP 200, top-level {"result_code":"500","error_code":"UNKNOWN_SYSTEM_ERROR"}
  | 'maintenance' // HTTP 200, top-level 500 MAINTENANCE_INPROGRESS
  | 'truncated-json' // HTTP 200, the first half of the JSON answer
  | 'html-502'; // HTTP 502 with an HTML error page

export const FAULTS: readonly Fault[] = ['reset', 'hang', 'system-error', 'maintenance', 'truncated-json', 'html-502'];

/** The biz answer a pay call gives once it finishes (after any hold). */
export type PayResult = 'PAY_SUCCESS' | 'PAY_FAIL' | 'PAY_IN_PROGRESS' | 'PAY_FAIL_ERROR' | 'PAY_FAIL_IN_PROGRESS';

/** Later move of a still-CREATED order; whichever limit comes first wins. */
export interface Settle {
  to: 'PAID' | 'PAY_CANCELED' | 'PAY_ERROR';
  /** The N-th query (counted from pay) already sees the settled state. */
  afterQueries?: number;
  /** Milliseconds after the pay arrived, on the simulator clock (so setClockOffset fast-forwards it). */
  afterMs?: number;
  /** For PAY_CANCELED; default TRADE_TIMEOUT (交易超时自动撤单). */
  errorCode?: string;
}

export interface PayScenario {
  /** Default PAY_SUCCESS. PAY_IN_PROGRESS and PAY_FAIL_IN_PROGRESS leave the order CREATED. */
  result?: PayResult;
  /** PAY_FAIL default EXPIRED_BARCODE; PAY_FAIL_ERROR default UNEXPECTED_PROVIDER_ERROR. */
  errorCode?: string;
  settle?: Settle;
  /** Hold the pay connection this long (order CREATED meanwhile), then apply `result` and answer. */
  holdMs?: number;
  /** Lose or garble the answer. */
  fault?: Fault;
  /** With a fault: was the order created (and `result` applied) first? Default true. */
  commit?: boolean;
  /** The pay reaches the books only this long after it arrived; its answer is lost (`fault`, default hang). */
  lateMs?: number;
  /** Answer this instead (commit: the pay is processed first). */
  odd?: OddAnswer;
}

/** Cancel/revoke answers that leave the order unchanged. */
export type ForcedCancelAnswer =
  'CANCEL_IN_PROGRESS' | 'CANCEL_ERROR' | 'CANCEL_ABORT_ERROR' | 'CANCEL_ABORT_IN_PROGRESS';

/**
 * One cancel/revoke call. 'normal', 'CANCEL_SUCCESS' and 'CANCEL_ABORT_SUCCESS' all run the real state machine
 * (its answer depends on the order state). A fault with commit (default true) runs it too, then loses the answer.
 * `odd` answers any code; `lateMs` reaches the books late; any other object is a SlowReversal.
 */
export type ActionStep =
  | 'normal'
  | 'CANCEL_SUCCESS'
  | 'CANCEL_ABORT_SUCCESS'
  | ForcedCancelAnswer
  | { answer: ForcedCancelAnswer; errorCode?: string; errorMessage?: string }
  | { fault: Fault; commit?: boolean }
  | { odd: OddAnswer }
  | LateArrival
  | SlowReversal;

/** One query call: normal, or a fault (commit default true: the query counted towards `afterQueries`). */
export type QueryStep = 'normal' | { fault: Fault; commit?: boolean } | { odd: OddAnswer };

/** Refund answers that leave the order unchanged (nothing is refunded). */
export type ForcedRefundAnswer = 'REFUND_IN_PROGRESS' | 'REFUND_ERROR' | 'REFUND_FAIL';

/**
 * One refund call. 'normal' runs the real refund. A forced answer is sent without data and refunds nothing.
 * A fault with commit (default true) runs the refund, then loses the answer; `odd` answers any code; `lateMs`
 * reaches the books late; `holdMs` holds the request before it runs; any other object is a SlowRefund.
 */
export type RefundStep =
  | 'normal'
  | HeldRequest
  | ForcedRefundAnswer
  | { answer: ForcedRefundAnswer; errorCode?: string; errorMessage?: string }
  | { fault: Fault; commit?: boolean }
  | { odd: OddAnswer }
  | LateArrival
  | SlowRefund;

export interface Scenario {
  pay?: PayScenario;
  /** Consumed one per call; after the list, normal behaviour. */
  query?: QueryStep[];
  cancel?: ActionStep[];
  revoke?: ActionStep[];
  refund?: RefundStep[];
  /** Order status after a cancel aborts a CREATED pay (CANCEL_ABORT_SUCCESS). Default PAY_CANCELED. */
  abortTo?: 'PAY_CANCELED' | 'CANCELED';
  /** Added before every request on this order is processed (pay, query, cancel, revoke, refund). */
  latencyMs?: number;
  /**
   * The gateway's business day ends right after the capture (the 23:59:59 race): the payment is
   * dated the previous Asia/Shanghai day, so every later reversal is refused as the real day check does.
   */
  dayEndsAfterPay?: boolean;
  /**
   * Where this client_sn must be unique: on the paying terminal (default, unless the simulator's `clientSnScope`
   * says otherwise) or across every terminal of its merchant (pays conflict, lookups by client_sn see them all).
   */
  clientSnScope?: 'terminal' | 'merchant';
  existingOrder?: ExistingOrder;
  echoMismatch?: EchoMismatch;
  /**
   * A repeat of a completed refund (same refund_request_no, same amount): `echo` (default) answers
   * REFUND_SUCCESS again, `noop` answers FAIL + UPAY_REFUND_ORDER_NOOP. Neither moves money (reference §6.3).
   */
  refundRepeat?: 'echo' | 'noop';
}

export const UPAY_TCP_ORDER_NOT_REFUNDABLE: ActionStep = {
  answer: 'CANCEL_ERROR',
  errorCode: 'UPAY_TCP_ORDER_NOT_REFUNDABLE',
  errorMessage: '订单参与了活动并且无法撤销',
};
