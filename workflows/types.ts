/**
 * The contract every side shares: workflow, activities, worker, client and tests. Types and
 * `as const` values only, so it is safe inside the workflow bundle.
 */

/** Task queue of the payment worker. */
export const TASK_QUEUE = 'upay-payments';

/** Gateway operations the activities perform. */
export type GatewayOperation = 'pay' | 'query' | 'cancel' | 'revoke' | 'refund';

/**
 * What one gateway call means for money, decided by the classifier (activities/gateway/classify.ts):
 * - `success`: the action happened (pay: money taken; cancel/revoke: reversed; query: the order has a
 *   final status, read `order.orderStatus`).
 * - `definite_failure`: the gateway said no, definitely (pay: money not taken; cancel/revoke: refused;
 *   query: the order does not exist).
 * - `in_progress`: not finished yet; ask again with query.
 * - `unknown`: no reliable answer (transport error, timeout, 5xx, malformed body, `*_ERROR` codes).
 */
export type OutcomeKind = 'success' | 'definite_failure' | 'in_progress' | 'unknown';

/** The order as the gateway last described it (camelCase view of `biz_response.data`). */
export interface OrderSnapshot {
  sn: string;
  clientSn: string;
  /** `terminal_sn` when the answer names one: checked against the request (money-rules R1). */
  terminalSn?: string;
  /** As the gateway sent it: an OrderStatus (vocabulary.ts), or a value no document lists. */
  orderStatus: string;
  /** Flow status of this call's transaction (`status`), e.g. SUCCESS, FAIL_CANCELED, IN_PROG. */
  flowStatus?: string;
  totalAmountFen?: number;
  netAmountFen?: number;
  tradeNo?: string;
  payway?: string;
  /** Unix ms of the gateway's completion of the last action, when given. */
  finishTime?: number;
}

/** Result of one gateway call: safe to keep in history (no key, no signature, no header). */
export interface GatewayCallResult {
  operation: GatewayOperation;
  kind: OutcomeKind;
  /** Short machine-readable why, e.g. `PAY_SUCCESS`, `top-level 500 MAINTENANCE_INPROGRESS`, `transport UND_ERR_HEADERS_TIMEOUT`. */
  reason: string;
  httpStatus?: number;
  /** Top-level `result_code` ("200", "400", "500"). */
  resultCode?: string;
  /** `biz_response.result_code`. */
  bizResultCode?: string;
  /** Top-level or business `error_code`. */
  errorCode?: string;
  errorMessage?: string;
  /** undici error code (or errno) when the call failed below HTTP. */
  transportError?: string;
  order?: OrderSnapshot;
}

/**
 * Where a payment stands. Final states: FAILED, CANCELED, REVOKED; PAID until the revoke window closes;
 * REFUNDED, PARTIAL_REFUNDED and SETTLED_OUTSIDE only by an operator's resolution of NEEDS_ATTENTION.
 */
export type PaymentState =
  | 'PAYING'
  | 'CONFIRMING'
  | 'PAID'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'REVOKING'
  | 'REVOKED'
  | 'NEEDS_ATTENTION'
  | 'REFUNDED'
  | 'PARTIAL_REFUNDED'
  | 'SETTLED_OUTSIDE';

/** States in which the checkout has its answer (early return). */
export const OUTCOME_STATES: readonly PaymentState[] = [
  'PAID',
  'FAILED',
  'CANCELED',
  'NEEDS_ATTENTION',
  'REVOKING',
  'REVOKED',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'SETTLED_OUTSIDE',
];

/** One payment as the checkout asks for it. No key: the worker holds terminal keys. */
export interface PaymentRequest {
  /** 收钱吧 terminal id: digits only, at most 32 ("不超过32位的纯数字", upay reference §4.3 pay). */
  terminalSn: string;
  /** Merchant order number, unique per payment attempt (≤32 ASCII chars); never reused after failure. */
  clientSn: string;
  /** Amount in fen (分): a positive integer of at most 10 digits. */
  amountFen: number;
  /** Customer's barcode (≤32 chars). */
  dynamicId: string;
  /** Shown in the payer's bill (≤64 chars). */
  subject: string;
  /** Cashier (≤32 chars). */
  operator: string;
  description?: string;
  /** Echoed back by the gateway (≤64 chars). */
  reflect?: string;
  /** Force a payment channel (digits); normally derived from the barcode. */
  payway?: string;
  /** Per-payment overrides of the saga's timing (tests and demos). */
  timing?: TimingOverrides;
}

/** Durations in ms. Absent values take the production defaults (workflows/timing.ts). */
export interface TimingOverrides {
  /** Pause between confirm queries. Default 5 000. */
  confirmIntervalMs?: number;
  /** Confirm queries run until this long after pay started. Default 45 000. */
  confirmWindowMs?: number;
  /** Pause before the 2nd, 3rd, … cancel attempt; the last value repeats. Default 5 s doubling to 5 min. */
  cancelDelaysMs?: number[];
  /** Give up cancelling (→ NEEDS_ATTENTION) this long after the workflow started. Default: end of the business day. */
  cancelDeadlineAfterMs?: number;
  /** Close the revoke window this long after the workflow started. Default: end of the business day. */
  revokeWindowAfterMs?: number;
  /** Pay is not sent once this long has passed since the workflow started (the barcode is stale). Default 30 000. */
  paySendDeadlineMs?: number;
  /**
   * How long after it was sent a request whose answer we did not get may still take effect at the
   * gateway (money rules R3, R5): until then neither "order not found", a refusal nor a PAID query
   * proves what it did. Default 60 000 (pay's read timeout plus connect).
   */
  requestDoubtMs?: number;
}

/** The timing a payment actually uses, as recorded in its status. Deadlines are Unix ms. */
export interface ResolvedTiming {
  confirmIntervalMs: number;
  confirmWindowMs: number;
  cancelDelaysMs: number[];
  cancelDeadline: number;
  revokeWindowEnd: number;
  /** Absent in payments started before the money rules (no send deadline, no doubt window). */
  paySendDeadline?: number;
  requestDoubtMs?: number;
}

/** What the `revoke` signal and update carry: one JSON object, as the Web UI's "Send a Signal" sends. */
export interface RevokeRequest {
  operator: string;
  reason: string;
}

export type RevokeStatus = 'PENDING' | 'IN_PROGRESS' | 'REVOKED' | 'REFUSED' | 'NOT_NEEDED' | 'NEEDS_ATTENTION';

export interface RevokeRecord extends RevokeRequest {
  via: 'signal' | 'update';
  requestedAt: number;
  status: RevokeStatus;
  /** Gateway error code of a refusal, or why it was not needed. */
  detail?: string;
}

/** An operator's decision on a payment in NEEDS_ATTENTION, after checking with 收钱吧. */
export interface ResolveRequest {
  operator: string;
  /**
   * What the money actually did: PAID (the merchant kept it), FAILED (never taken), CANCELED or
   * REVOKED (reversed), REFUNDED or PARTIAL_REFUNDED (given back, wholly or partly, by refund), or
   * SETTLED_OUTSIDE (settled by 收钱吧 support or by hand; `reference` required). Every state the
   * gateway can report has one (money rules R7).
   */
  resolution: Resolution;
  note: string;
  /** Ticket or transfer reference: required for SETTLED_OUTSIDE. */
  reference?: string;
  /**
   * "Money kept, give it back" (resolution PAID only, issue #16 part 3): the payment starts this refund
   * itself (a child refundSaga, `operator` as its operator, `note` as its reason) and closes only once it
   * has concluded and the gateway shows it.
   */
  refund?: { refundRequestNo: string; amountFen: number };
}

export type Resolution =
  'PAID' | 'FAILED' | 'CANCELED' | 'REVOKED' | 'REFUNDED' | 'PARTIAL_REFUNDED' | 'SETTLED_OUTSIDE';

export interface ResolutionRecord extends ResolveRequest {
  resolvedAt: number;
  /** The refund this resolution started (`refund`): its workflow, and how it ended or why it did not start. */
  refundStarted?: { workflowId: string; state?: string; problem?: string };
  /** The gateway's word at the check before close, kept beside the resolution (R7). */
  gatewayAtClose?: { at: number; orderStatus: string };
}

/** A message the workflow could not act on (signals cannot be refused, so they are recorded). */
export interface IgnoredMessage {
  at: number;
  name: 'revoke' | 'resolve' | 'cancel' | 'recheck' | 'refund';
  why: string;
}

/**
 * Which step of the saga made a gateway call: pay; the confirm queries; each cancel (冲正) and the
 * query that checks it; the query before the first revoke, each revoke and the query that checks
 * it; the query before the workflow closes.
 */
export type CallStep =
  | 'pay'
  | 'confirm-query'
  | 'cancel'
  | 'cancel-check-query'
  | 'revoke-look-query'
  | 'revoke'
  | 'revoke-check-query'
  | 'close-check-query'
  | 'recheck-query';

/** One gateway call as the saga recorded it. */
export interface GatewayCallRecord extends GatewayCallResult {
  at: number;
  step: CallStep;
  /** 1-based number within its step: confirm query n, cancel n and its check query n, revoke n, … */
  attempt: number;
}

/** ApplicationFailure type of a call never sent because the worker has no key for the terminal. */
export const UNKNOWN_TERMINAL = 'UnknownTerminal';

/** Everything the `status` query returns. */
export interface PaymentStatus {
  state: PaymentState;
  terminalSn: string;
  clientSn: string;
  sn?: string;
  amountFen: number;
  subject: string;
  startedAt: number;
  timing: ResolvedTiming;
  calls: GatewayCallRecord[];
  revoke?: RevokeRecord;
  escalation?: { reason: string; at: number };
  resolution?: ResolutionRecord;
  ignored: IgnoredMessage[];
  /** A Temporal cancellation request, when one arrived (money rules R6). */
  cancellation?: CancellationRecord;
  /** Operators' `recheck` requests and what each found. */
  rechecks?: RecheckRecord[];
  /**
   * The refunds of this order the payment was told of by their refund workflows (issue #16 part 3),
   * one per refund_request_no, as last told. Only what it was told: the check at close compares the
   * gateway's books with these, and a refund the payment was not told of is a disagreement (R7).
   */
  refunds?: PaymentRefundRecord[];
  /** When the workflow finished: the revoke window had closed and any check at close agreed. */
  settledAt?: number;
}

/** What the `revoke` update returns to a program. */
export interface RevokeResult {
  state: PaymentState;
  revoke: RevokeRecord;
}

/** Workflow ID of a payment: one per merchant order, so a second start finds the first. */
export function paymentWorkflowId(terminalSn: string, clientSn: string): string {
  return `upay-${terminalSn}-${clientSn}`;
}

/**
 * A Temporal cancellation request (the Web UI's "Request Cancellation", `temporal workflow cancel`,
 * a checkout's `handle.cancel()`): "do not take this money" (money rules R6). Who asked and why are
 * on the WorkflowExecutionCancelRequested event (identity, reason): SDK 1.24 gives workflow code
 * neither, so they are not here.
 */
export interface CancellationRecord {
  /** When the workflow saw the request (workflow time). */
  requestedAt: number;
  /** The payment's state when it arrived. */
  stateAtRequest: PaymentState;
  /**
   * DO_NOT_TAKE: before the outcome: pay is not sent, or whatever it did is reversed now (cancel,
   * then the usual compensation schedule); the payment ends by the gateway's answer.
   * ALREADY_COMPENSATING: it arrived while cancelling; the schedule goes on.
   * IGNORED: the outcome was known (PAID: revoke is the way to return money; NEEDS_ATTENTION: a
   * person decides); the why is in `ignored`.
   */
  effect: 'DO_NOT_TAKE' | 'ALREADY_COMPENSATING' | 'IGNORED';
}

/** What the `recheck` signal and update carry: who asks, and what the customer said. */
export interface RecheckRequest {
  operator: string;
  note?: string;
}

/** One recheck: the query it made and what the saga did with the answer. */
export interface RecheckRecord extends RecheckRequest {
  via: 'signal' | 'update';
  requestedAt: number;
  /** The payment's state when it was asked. */
  stateAtRequest: PaymentState;
  /** When the query answered; absent while it waits for the main flow. */
  answeredAt?: number;
  /** The gateway's answer: its order status, or its error code or reason. */
  gateway?: string;
  /** What the saga did with it, in words. */
  effect?: string;
}

/**
 * Where a refund of this order stands, as its refund workflow (refundSaga) tells the payment: REFUNDING
 * once its look found the order refundable and before anything is sent; then its outcome (REFUNDED,
 * REFUSED, NEEDS_ATTENTION) and, after a person, its resolution (REFUNDED, NOT_REFUNDED, SETTLED_OUTSIDE).
 */
export type PaymentRefundState =
  'REFUNDING' | 'REFUNDED' | 'REFUSED' | 'NEEDS_ATTENTION' | 'NOT_REFUNDED' | 'SETTLED_OUTSIDE';

/** Refund states after which that refund moves no more money. */
export const FINAL_REFUND_STATES: readonly PaymentRefundState[] = [
  'REFUNDED',
  'REFUSED',
  'NOT_REFUNDED',
  'SETTLED_OUTSIDE',
];

/** What the `refundRecorded` signal carries (sent by the refund workflow). */
export interface RefundNotice {
  refundRequestNo: string;
  amountFen: number;
  state: PaymentRefundState;
}

/** One refund of this order as the payment was last told of it. */
export interface PaymentRefundRecord extends RefundNotice {
  /** When the payment first heard of it, and last. */
  firstToldAt: number;
  toldAt: number;
}

/**
 * The payment a workflow ID names. Unambiguous because terminalSn is digits only (validation.ts):
 * the first '-' after the prefix ends it, and clientSn may hold '-'.
 */
export function parsePaymentWorkflowId(workflowId: string): { terminalSn: string; clientSn: string } | undefined {
  const match = /^upay-(\d+)-(.+)$/.exec(workflowId);
  return match ? { terminalSn: match[1]!, clientSn: match[2]! } : undefined;
}
