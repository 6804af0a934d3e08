/**
 * The contract every side shares: workflow, activities, worker, client and tests. Types and
 * `as const` values only, so it is safe inside the workflow bundle.
 */

/** Task queue of the payment worker. */
export const TASK_QUEUE = 'upay-payments';

/** Gateway operations the activities perform. */
export type GatewayOperation = 'pay' | 'query' | 'cancel' | 'revoke' | 'refund' | 'precreate';

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
