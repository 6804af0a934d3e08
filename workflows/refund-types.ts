/**
 * The refund's contract, shared by the refund workflow, its activities, the worker, the client and the
 * tests (issue #16). Types and `as const` values only, so it is safe inside the workflow bundle. Amounts
 * are in fen; the terminal key is never part of any of it.
 */
import type { GatewayCallResult, OrderSnapshot } from './types';

/**
 * An order snapshot that may name a refund: `refund_request_no` of a refund's answer, or of the refund a
 * query shows (activities/gateway/parse.ts keeps it). Kept beside OrderSnapshot so the payment's
 * contract stays as it is.
 */
export type RefundOrderSnapshot = OrderSnapshot & { refundRequestNo?: string };

/** The refund_request_no an answer names, if any. */
export function refundNoOf(answer: GatewayCallResult): string | undefined {
  const order: RefundOrderSnapshot | undefined = answer.order;
  return order?.refundRequestNo;
}

/** Workflow type of a refund, as the Web UI's Start Workflow and `temporal workflow start` name it. */
export const REFUND_WORKFLOW_TYPE = 'refundSaga';

/**
 * One refund (退款) of a paid order, as the returns desk asks for it. The order is named by `clientSn`
 * or `sn` (the gateway's order number); the refund by `refundRequestNo`, unique per refund of an order
 * and never changed when the same refund is retried (reference §4.6, §10).
 */
export interface RefundRequest {
  /** 收钱吧 terminal id: digits only, at most 32. */
  terminalSn: string;
  /** The merchant order number of the payment (≤32 ASCII). One of clientSn / sn is required. */
  clientSn?: string;
  /** The gateway's order number (16 digits). Used when no clientSn is given. */
  sn?: string;
  /** 退款序列号: at most 20 printable ASCII characters, unique per refund of this order. */
  refundRequestNo: string;
  /** Amount to give back, in fen: a positive integer, at most the order's `net_amount`. */
  amountFen: number;
  /** Who asked (≤32 chars): sent to the gateway as `operator`. */
  operator: string;
  /** Why (≤256 chars): kept in the status, not sent. */
  reason?: string;
  /** Per-refund overrides of the timing (tests and demos). */
  timing?: RefundTimingOverrides;
}

/** Durations in ms. Absent values take the defaults of workflows/refund-timing.ts. */
export interface RefundTimingOverrides {
  /** Pause before the 2nd, 3rd, … attempt (look or refund); the last value repeats. Default 5 s doubling to 5 min. */
  retryDelaysMs?: number[];
  /** No look or refund starts this long after the workflow started; then a person. Default 1 hour. */
  deadlineAfterMs?: number;
  /** How long a refund without a definite answer may still take effect at the gateway. Default 60 000. */
  requestDoubtMs?: number;
  /** Pause between the queries that wait out a refund in doubt at the deadline. Default 5 000. */
  checkIntervalMs?: number;
}

/** The timing a refund uses, as recorded in its status. `deadline` is Unix ms. */
export interface RefundResolvedTiming {
  retryDelaysMs: number[];
  deadline: number;
  requestDoubtMs: number;
  checkIntervalMs: number;
}

/**
 * Where a refund stands. LOOKING: querying the order before any refund is sent; REFUNDING: refund sent,
 * retried with the same refund_request_no until definite; REFUNDED, REFUSED: final, by the gateway's
 * word; NEEDS_ATTENTION: a person must decide; NOT_REFUNDED, SETTLED_OUTSIDE: final, by that person.
 */
export type RefundState =
  'LOOKING' | 'REFUNDING' | 'REFUNDED' | 'REFUSED' | 'NEEDS_ATTENTION' | 'NOT_REFUNDED' | 'SETTLED_OUTSIDE';

/** States in which the returns desk has its answer (the `outcome` update completes). */
export const REFUND_OUTCOME_STATES: readonly RefundState[] = [
  'REFUNDED',
  'REFUSED',
  'NEEDS_ATTENTION',
  'NOT_REFUNDED',
  'SETTLED_OUTSIDE',
];

/** Which step made a gateway call: the look before the refund, each refund, the query checking it. */
export type RefundCallStep = 'look-query' | 'refund' | 'refund-check-query' | 'resolve-check-query';

export interface RefundCallRecord extends GatewayCallResult {
  at: number;
  step: RefundCallStep;
  /** 1-based number within its step. */
  attempt: number;
}

/** An operator's decision on a refund in NEEDS_ATTENTION, after checking with 收钱吧. */
export interface RefundResolveRequest {
  operator: string;
  /** REFUNDED (the money went back), NOT_REFUNDED (it did not), SETTLED_OUTSIDE (`reference` required). */
  resolution: RefundResolution;
  note: string;
  reference?: string;
}

export type RefundResolution = 'REFUNDED' | 'NOT_REFUNDED' | 'SETTLED_OUTSIDE';

export interface RefundResolutionRecord extends RefundResolveRequest {
  resolvedAt: number;
  /** What the gateway said about this refund right after the resolution (kept, not disputed: R7). */
  gatewayAtResolve?: { at: number; answer: string };
}

/** A message the refund could not act on (signals and cancellation requests cannot be refused). */
export interface RefundIgnoredMessage {
  at: number;
  name: 'resolve' | 'cancel';
  why: string;
}

/** Everything the refund's `status` query returns. */
export interface RefundStatus {
  state: RefundState;
  terminalSn: string;
  clientSn?: string;
  /** The gateway's order number: given, or learned from the look. */
  sn?: string;
  refundRequestNo: string;
  amountFen: number;
  operator: string;
  reason?: string;
  startedAt: number;
  timing: RefundResolvedTiming;
  /** The order as the look saw it before any refund was sent. */
  order?: { orderStatus: string; totalAmountFen?: number; netAmountFen?: number };
  /** The gateway's (or the look's) refusal: its error code and what it means. */
  refusal?: { code: string; detail: string };
  calls: RefundCallRecord[];
  escalation?: { reason: string; at: number };
  resolution?: RefundResolutionRecord;
  ignored: RefundIgnoredMessage[];
  /**
   * What the payment's workflow was told of this refund (signal `refundRecorded`, issue #16 part 3):
   * each notice, and whether it reached an open payment (a closed or absent one cannot be told).
   */
  payment?: { workflowId: string; notices: { state: RefundState; at: number; delivered: boolean; why?: string }[] };
  /** When the workflow finished. */
  settledAt?: number;
}

/** ApplicationFailure type of a refund request that fails validation (nothing reached the gateway). */
export const INVALID_REFUND_REQUEST = 'InvalidRefundRequest';

/**
 * Escapes `-` (and `%`, the escape character) so a field can sit between dashes of a workflow ID
 * and still be read back unambiguously.
 */
function escapeDashes(value: string): string {
  return value.replace(/%/g, '%25').replace(/-/g, '%2D');
}

/**
 * Workflow ID of a refund: one per (terminal, order, refund_request_no), so a second start of the same
 * request finds the first: `upay-refund-<terminal_sn>-<refund_request_no>-c-<client_sn>` (or `-s-<sn>`
 * when the order is named by sn). Unambiguous: the terminal is digits only (it ends at the first `-`),
 * the refund number has its dashes escaped (it ends at the next `-`), `c`/`s` says which order number
 * follows, and the order number is the rest. A payment's ID never starts `upay-refund-`: its second
 * part is a terminal (`upay-<terminal_sn>-<client_sn>`). The same refund started once by client_sn and
 * once by sn gets two IDs; the gateway's own idempotency by refund_request_no still moves the money once.
 */
export function refundWorkflowId(
  ref: Pick<RefundRequest, 'terminalSn' | 'clientSn' | 'sn' | 'refundRequestNo'>,
): string {
  const order = ref.clientSn !== undefined ? `c-${ref.clientSn}` : `s-${ref.sn ?? ''}`;
  return `upay-refund-${ref.terminalSn}-${escapeDashes(ref.refundRequestNo)}-${order}`;
}
