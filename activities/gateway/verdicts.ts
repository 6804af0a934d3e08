import {
  FINAL_ORDER_STATUSES,
  MOVING_ORDER_STATUSES,
  PAY_DEFINITE_FAILURE_CODES,
  REFUND_REFUSAL_CODES,
  REVERSAL_REFUSAL_CODES,
  isOrderNotFound,
} from './codes';
import type { BizResponseWire } from './models';
import type { GatewayOperation, OutcomeKind } from '../../workflows/types';

/** What one business answer means, before the HTTP status is taken into account. */
export type Verdict = { kind: OutcomeKind; reason: string };

export const unknown = (reason: string): Verdict => ({ kind: 'unknown', reason });
const definite = (reason: string): Verdict => ({ kind: 'definite_failure', reason });

const listed = (list: readonly string[], code: string | undefined) => code !== undefined && list.includes(code);
const codes = (biz: BizResponseWire) => `${biz.result_code} ${biz.error_code ?? ''}`.trim();

/**
 * money-rules R4: a failure is definite only when its error code is one the reference lists for this
 * operation. A plain `FAIL` says no more than "read error_code", so it needs a listed one; a failure
 * code of the operation itself (PAY_FAIL, REFUND_FAIL, and CANCEL_ERROR for the documented refusals)
 * is definite with a listed code or none. Anything else is unknown: query, then the schedule.
 */
function definiteFailure(biz: BizResponseWire, ownFailureCode: string, list: readonly string[]): boolean {
  if (biz.result_code === 'FAIL') return listed(list, biz.error_code);
  return biz.result_code === ownFailureCode && (biz.error_code === undefined || listed(list, biz.error_code));
}

function payVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  const status = biz.data?.order_status;
  // Only PAY_SUCCESS or order_status PAID counts, and never when the two disagree.
  if (status === 'PAID')
    return code === 'PAY_SUCCESS' || code === 'PAY_IN_PROGRESS' || code === 'SUCCESS'
      ? { kind: 'success', reason: `${code} PAID` }
      : unknown(`${code} with order_status PAID`);
  if (code === 'PAY_SUCCESS')
    return status === undefined
      ? { kind: 'success', reason: code }
      : unknown(`PAY_SUCCESS with order_status ${status}`);
  if (code === 'PAY_IN_PROGRESS') return { kind: 'in_progress', reason: code };
  // PAY_FAIL ("失败并且已冲正") or FAIL ("不会触发流程") with a listed pay code: the money was not taken.
  // CLIENT_SN_CONFLICT is not listed: an order with this client_sn exists, its state unknown to us.
  if (definiteFailure(biz, 'PAY_FAIL', PAY_DEFINITE_FAILURE_CODES))
    return status === undefined || status === 'PAY_CANCELED'
      ? definite(codes(biz))
      : unknown(`${codes(biz)} with order_status ${status}`);
  return unknown(codes(biz)); // PAY_FAIL_ERROR, PAY_FAIL_IN_PROGRESS, unlisted error codes, undocumented
}

function queryVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  if (code === 'FAIL' && isOrderNotFound(biz.error_code)) return definite(codes(biz));
  const status = biz.data?.order_status;
  if (code !== 'SUCCESS' || status === undefined) return unknown(codes(biz));
  if (FINAL_ORDER_STATUSES.includes(status)) return { kind: 'success', reason: `SUCCESS ${status}` };
  if (MOVING_ORDER_STATUSES.includes(status)) return { kind: 'in_progress', reason: `SUCCESS ${status}` };
  return unknown(`SUCCESS ${status}`); // PAY_ERROR, CANCEL_ERROR, REFUND_ERROR, INVALID_STATUS_CODE, undocumented
}

function reversalVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  if (code === 'CANCEL_SUCCESS' || code === 'CANCEL_ABORT_SUCCESS') return { kind: 'success', reason: code };
  if (code === 'CANCEL_IN_PROGRESS' || code === 'CANCEL_ABORT_IN_PROGRESS')
    return { kind: 'in_progress', reason: code };
  // Nothing to reverse: the order does not exist. Definite; the saga confirms it with a query.
  if (code === 'FAIL' && isOrderNotFound(biz.error_code)) return definite(codes(biz));
  // A refusal the reference documents; CANCEL_ERROR needs its code here (bare, it means "state unknown").
  if (biz.error_code !== undefined && definiteFailure(biz, 'CANCEL_ERROR', REVERSAL_REFUSAL_CODES))
    return definite(codes(biz));
  // UPAY_CANCEL_ORDER_NOOP (already reversed, by whom?), CANCEL_ERROR, CANCEL_ABORT_ERROR, unlisted codes.
  return unknown(codes(biz));
}

function refundVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  if (code === 'REFUND_SUCCESS') return { kind: 'success', reason: code };
  if (code === 'REFUND_IN_PROGRESS') return { kind: 'in_progress', reason: code };
  if (definiteFailure(biz, 'REFUND_FAIL', REFUND_REFUSAL_CODES)) return definite(codes(biz));
  return unknown(codes(biz)); // REFUND_ERROR, UPAY_REFUND_ORDER_NOOP (confirm by query), unlisted codes
}

/** The business verdict of each operation, from `biz_response` alone. */
export const BIZ_VERDICTS: Record<GatewayOperation, (biz: BizResponseWire) => Verdict> = {
  pay: payVerdict,
  query: queryVerdict,
  cancel: reversalVerdict,
  revoke: reversalVerdict,
  refund: refundVerdict,
};
