import type { ServedEndpoint } from './endpoints';
import type { Fault, Settle } from './scenarios';

/**
 * Knobs for a gateway that is unfriendly on purpose (issue 14): effects that land after the answer, answers that
 * describe another order, codes no document lists. None of them is active unless a scenario asks for it; the
 * simulator README says which are documented behaviour and which are our hostile guesses.
 */

/** An answer with any codes at all, listed in the reference or not (e.g. `CANCEL_WEIRD`, `FAIL` + an unlisted code). */
export interface OddAnswer {
  /** biz `result_code` (or the top-level one with `topLevel`). */
  resultCode: string;
  errorCode?: string;
  /** Default: the reference's text for a listed code, else the code itself. */
  errorMessage?: string;
  /** Answer `{result_code, error_code, error_message}` with no biz_response (e.g. `503`). Default false. */
  topLevel?: boolean;
  /** Run the real operation first (its effect lands, the answer carries the order); default false: nothing changes. */
  commit?: boolean;
}

/**
 * The request sits in a queue and reaches the books `lateMs` after it arrived, long after the client gave up:
 * its answer is lost at once (`fault`, default `hang`) and the operation runs at arrival + lateMs against the
 * order as it is then.
 */
export interface LateArrival {
  lateMs: number;
  fault?: Fault;
}

/** How the other cancel/revoke calls on an order are answered while one of its reversals is still pending. */
export type OthersMeanwhile =
  | 'in-progress' // CANCEL_IN_PROGRESS with the order as it shows now (default)
  | 'invalid-state' // FAIL + UPAY_CANCEL_INVALID_ORDER_STATE
  | 'not-refundable' // CANCEL_ERROR + UPAY_TCP_ORDER_NOT_REFUNDABLE
  | 'normal'; // the state machine on the order as it shows now

/**
 * A cancel/revoke the gateway accepts now and completes later. If the order cannot be reversed when the call
 * arrives (another day, refunded, already reversed) the call is refused as usual and nothing is scheduled.
 */
export interface SlowReversal {
  /** The customer completes the payment just before this call is processed: a CREATED order turns PAID first. */
  paidFirst?: boolean;
  /** The reversal takes effect this long after the call, on the simulator clock. Default 0: at once. */
  effectAfterMs?: number;
  /** What queries show until then: the order as it was (`unchanged`, default) or `CANCEL_INPROGRESS`. */
  meanwhile?: 'unchanged' | 'CANCEL_INPROGRESS';
  /**
   * This call's answer: `in-progress` (CANCEL_IN_PROGRESS / CANCEL_ABORT_IN_PROGRESS, default when delayed),
   * `success` (CANCEL_SUCCESS / CANCEL_ABORT_SUCCESS and the final order, before the books show it; default when
   * at once), or a fault (the answer is lost).
   */
  reply?: 'in-progress' | 'success' | Fault;
  othersMeanwhile?: OthersMeanwhile;
}

/**
 * A refund the gateway accepts now and completes later (REFUND_IN_PROGRESS, then settled). Repeats and refusals
 * are answered as usual and schedule nothing. While it is pending the amount is reserved (other refunds see less
 * to refund) and reversals are refused.
 */
export interface SlowRefund {
  /** The refund lands (or fails) this long after the call, on the simulator clock. Default 0: at once. */
  effectAfterMs?: number;
  /** What queries show until then: the order as it was (`unchanged`, default), REFUND_INPROGRESS or REFUND_ERROR. */
  meanwhile?: 'unchanged' | 'REFUND_INPROGRESS' | 'REFUND_ERROR';
  /**
   * This call's answer: `in-progress` (REFUND_IN_PROGRESS with the order as it shows; default when delayed),
   * `success` (REFUND_SUCCESS and the order as it will be, before the books show it; default at once), `error`
   * (REFUND_ERROR, no data), or a fault (the answer is lost).
   */
  reply?: 'in-progress' | 'success' | 'error' | Fault;
  /** How it ends: `refunded` (default: the money goes back) or `failed` (nothing moves; REFUND_ERROR flow). */
  outcome?: 'refunded' | 'failed';
}

/**
 * The request is held this long before the gateway processes it (the connection stays open); then it runs
 * normally against the order as it is then and is answered. A client that gives up first gets nothing, but the
 * refund still happens.
 */
export interface HeldRequest {
  holdMs: number;
}

/** Statuses an order made by someone else can be found in. */
export type ExistingStatus = 'PAID' | 'CREATED' | 'PAY_CANCELED';

/**
 * Someone else's order already holds this client_sn when the pay arrives (created just before it is processed):
 * by default on another terminal of the same merchant (`SIBLING_TERMINAL_SN`), same amount, PAID. The pay then
 * meets it (CLIENT_SN_CONFLICT) and a lookup by client_sn shows it. Implies `clientSnScope: 'merchant'`.
 */
export interface ExistingOrder {
  /** On the paying terminal itself instead of a sibling terminal. */
  sameTerminal?: boolean;
  /** Default: the pay's own total_amount. */
  totalAmount?: string;
  /** Default PAID. CREATED never settles unless `settle` says so (then the gateway auto-cancels it). */
  status?: ExistingStatus;
  settle?: Settle;
}

/** Answers on this order describe another one: these fields of `biz_response.data` are replaced (books unchanged). */
export interface EchoMismatch {
  /** Default: every endpoint. */
  endpoints?: ServedEndpoint[];
  totalAmount?: string;
  terminalSn?: string;
  clientSn?: string;
}

/** The terminal of the merchant whose order an `existingOrder` is (no key: nobody signs for it). */
export const SIBLING_TERMINAL_SN = '100000000000009999';

/** An error code no upay document lists, for barcodes asking for one. */
export const UNLISTED_ERROR_CODE = 'UPAY_SIM_UNLISTED';
