/**
 * The gateway's vocabulary: every code the upay v2 reference documents
 * (../shared/spec/upay-v2-reference.md §5, §6, §7), as `as const` lists and the unions they give.
 * Shared by the classifier (activities/gateway/classify.ts), the saga's decisions and the tests, and
 * safe inside the workflow bundle. A code the gateway sends that is not here is "unlisted": the
 * classifier treats it as unknown.
 */

/** biz_response.result_code (§5). */
export const BIZ_RESULT_CODES = [
  'PAY_SUCCESS',
  'PAY_FAIL',
  'PAY_IN_PROGRESS',
  'PAY_FAIL_ERROR',
  'PAY_FAIL_IN_PROGRESS',
  'PRECREATE_SUCCESS',
  'PRECREATE_FAIL',
  'PRECREATE_FAIL_ERROR',
  'PRECREATE_FAIL_IN_PROGRESS',
  'CANCEL_SUCCESS',
  'CANCEL_ERROR',
  'CANCEL_ABORT_SUCCESS',
  'CANCEL_ABORT_ERROR',
  'CANCEL_IN_PROGRESS',
  'CANCEL_ABORT_IN_PROGRESS',
  'REFUND_SUCCESS',
  'REFUND_ERROR',
  'REFUND_FAIL',
  'REFUND_IN_PROGRESS',
  'SUCCESS',
  'FAIL',
] as const;
export type BizResultCode = (typeof BIZ_RESULT_CODES)[number];

/** data.order_status (§6.1). */
export const ORDER_STATUSES = [
  'CREATED',
  'PAID',
  'PAY_CANCELED',
  'PAY_ERROR',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'REFUND_INPROGRESS',
  'REFUND_ERROR',
  'CANCELED',
  'CANCEL_ERROR',
  'CANCEL_INPROGRESS',
  'INVALID_STATUS_CODE',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Final order states per the doc: nothing will change them without a new action. */
export const FINAL_ORDER_STATUSES: readonly string[] = [
  'PAID',
  'PAY_CANCELED',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'CANCELED',
] satisfies OrderStatus[];

/** Non-final states that are still moving on their own. */
export const MOVING_ORDER_STATUSES: readonly string[] = [
  'CREATED',
  'REFUND_INPROGRESS',
  'CANCEL_INPROGRESS',
] satisfies OrderStatus[];

/** Top-level error_code with result_code "400" or "500" (§7.1). */
export const TOP_LEVEL_ERROR_CODES = {
  '400': [
    'INVALID_PARAMS',
    'INVALID_TERMINAL',
    'ILLEGAL_SIGN',
    'TERMINAL_NOT_EXISTS',
    'INVALID_PARAMETER',
    'ACTIVATE_FAIL',
  ],
  '500': [
    'UNKNOWN_SYSTEM_ERROR',
    'MAINTENANCE_INPROGRESS',
    'REQUEST_FAIL',
    'EXTERNAL_SERVICE_EXCEPTION',
    'PAY_STATUS_CLOSED',
  ],
} as const;
export type TopLevelErrorCode = (typeof TOP_LEVEL_ERROR_CODES)['400' | '500'][number];

/** biz_response.error_code (§7.2), plus the other spelling of UPAY_ORDER_NOT_EXISTS. */
export const BIZ_ERROR_CODES = [
  'INVALID_BARCODE',
  'INSUFFICIENT_FUND',
  'EXPIRED_BARCODE',
  'BUYER_OVER_DAILY_LIMIT',
  'BUYER_OVER_TRANSACTION_LIMIT',
  'SELLER_OVER_DAILY_LIMIT',
  'TRADE_NOT_EXIST',
  'TRADE_HAS_SUCCESS',
  'SELLER_BALANCE_NOT_ENOUGH',
  'REFUND_AMT_NOT_EQUAL_TOTAL',
  'TRADE_FAILED',
  'UNEXPECTED_PROVIDER_ERROR',
  'TRADE_TIMEOUT',
  'ACCOUNT_BALANCE_NOT_ENOUGH',
  'CLIENT_SN_CONFLICT',
  'UPAY_ORDER_NOT_EXISTS',
  'UPAY_ORDER_NOT_EXIST',
  'REFUNDABLE_AMOUNT_NOT_ENOUGH',
  'UPAY_TERMINAL_NOT_EXISTS',
  'UPAY_TERMINAL_STATUS_ABNORMAL',
  'UPAY_CANCEL_ORDER_NOOP',
  'UPAY_CANCEL_INVALID_ORDER_STATE',
  'UPAY_REFUND_ORDER_NOOP',
  'UPAY_REFUND_INVALID_ORDER_STATE',
  'UPAY_STORE_OVER_DAILY_LIMIT',
  'UPAY_TCP_ORDER_NOT_REFUNDABLE',
  'EXTERNAL_SERVICE_EXCEPTION',
] as const;
export type BizErrorCode = (typeof BIZ_ERROR_CODES)[number];

/** "No such order": both spellings appear in the docs (§11 item 4); treat them alike. */
export const ORDER_NOT_FOUND_CODES: readonly BizErrorCode[] = ['UPAY_ORDER_NOT_EXISTS', 'UPAY_ORDER_NOT_EXIST'];

export function isOrderNotFound(errorCode: string | undefined): boolean {
  return (ORDER_NOT_FOUND_CODES as readonly string[]).includes(errorCode ?? '');
}

/** A listed order status, `UNLISTED` for one no document names, undefined for none. */
export function listedOrderStatus(status: string | undefined): OrderStatus | 'UNLISTED' | undefined {
  if (status === undefined) return undefined;
  return (ORDER_STATUSES as readonly string[]).includes(status) ? (status as OrderStatus) : 'UNLISTED';
}

/**
 * Error codes that make a pay's `PAY_FAIL` or `FAIL` a definite failure (money not taken): the codes the
 * reference gives for a pay refused or reversed by the gateway (§6.3 "PAY_CANCELED … e.g. EXPIRED_BARCODE,
 * INSUFFICIENT_FUND, or gateway timeout TRADE_TIMEOUT"; §7.2 rows marked pay or any). Not here, so unknown
 * (money-rules R4): `CLIENT_SN_CONFLICT` (an order exists), `TRADE_HAS_SUCCESS` ("already paid"),
 * `UNEXPECTED_PROVIDER_ERROR`, `EXTERNAL_SERVICE_EXCEPTION`, other operations' codes, and any unlisted one.
 */
export const PAY_DEFINITE_FAILURE_CODES = [
  'INVALID_BARCODE',
  'INSUFFICIENT_FUND',
  'EXPIRED_BARCODE',
  'BUYER_OVER_DAILY_LIMIT',
  'BUYER_OVER_TRANSACTION_LIMIT',
  'SELLER_OVER_DAILY_LIMIT',
  'UPAY_STORE_OVER_DAILY_LIMIT',
  'TRADE_TIMEOUT',
  'TRADE_FAILED',
  'UPAY_TERMINAL_NOT_EXISTS',
  'UPAY_TERMINAL_STATUS_ABNORMAL',
] as const satisfies readonly BizErrorCode[];

/**
 * Refusals of a cancel or revoke the reference documents, which asking again will not change: a person
 * must look (money-rules R4). Definite only under `FAIL` or `CANCEL_ERROR` (the reference's example wraps
 * UPAY_TCP_ORDER_NOT_REFUNDABLE in CANCEL_ERROR). "Order not found" is definite too, but means nothing to
 * reverse (ORDER_NOT_FOUND_CODES). `UPAY_CANCEL_ORDER_NOOP` (already reversed, by whom?) and every other code
 * are unknown: only a query can say what the order is now.
 */
export const REVERSAL_REFUSAL_CODES = [
  'UPAY_TCP_ORDER_NOT_REFUNDABLE',
  'UPAY_CANCEL_INVALID_ORDER_STATE',
  'SELLER_BALANCE_NOT_ENOUGH',
  'UPAY_TERMINAL_NOT_EXISTS',
  'UPAY_TERMINAL_STATUS_ABNORMAL',
] as const satisfies readonly BizErrorCode[];

/**
 * Refusals of a refund the reference documents (§7.2 rows marked refund or any, §6.3): definite under
 * `FAIL` or `REFUND_FAIL`. `UPAY_REFUND_ORDER_NOOP` (this refund already done) and every other code are unknown.
 */
export const REFUND_REFUSAL_CODES = [
  'REFUNDABLE_AMOUNT_NOT_ENOUGH',
  'UPAY_REFUND_INVALID_ORDER_STATE',
  'REFUND_AMT_NOT_EQUAL_TOTAL',
  'ACCOUNT_BALANCE_NOT_ENOUGH',
  'SELLER_BALANCE_NOT_ENOUGH',
  'UPAY_ORDER_NOT_EXISTS',
  'UPAY_ORDER_NOT_EXIST',
  'UPAY_TERMINAL_NOT_EXISTS',
  'UPAY_TERMINAL_STATUS_ABNORMAL',
] as const satisfies readonly BizErrorCode[];
