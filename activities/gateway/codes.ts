/**
 * Every code the upay v2 reference documents (../shared/spec/upay-v2-reference.md §5, §6, §7).
 * The classifier and its tests are written against these lists, so a code can't be forgotten.
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

/** Final order states per the doc: nothing will change them without a new action. */
export const FINAL_ORDER_STATUSES: readonly string[] = [
  'PAID',
  'PAY_CANCELED',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'CANCELED',
];

/** Non-final states that are still moving on their own. */
export const MOVING_ORDER_STATUSES: readonly string[] = ['CREATED', 'REFUND_INPROGRESS', 'CANCEL_INPROGRESS'];

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

/** Both spellings appear in the docs (§11 item 4); treat them alike. */
export function isOrderNotFound(errorCode: string | undefined): boolean {
  return errorCode === 'UPAY_ORDER_NOT_EXISTS' || errorCode === 'UPAY_ORDER_NOT_EXIST';
}
