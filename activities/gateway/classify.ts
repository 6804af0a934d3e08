import { FINAL_ORDER_STATUSES, MOVING_ORDER_STATUSES, isOrderNotFound } from './codes';
import type { BizResponseWire, EnvelopeWire } from './models';
import { MalformedResponseError, parseEnvelope, toOrderSnapshot } from './parse';
import type { GatewayCallResult, GatewayOperation, OutcomeKind } from '../../workflows/types';

/** What came back from one HTTP exchange, before any interpretation. */
export type RawExchange = { kind: 'transport'; code: string } | { kind: 'http'; status: number; body: string };

type Verdict = { kind: OutcomeKind; reason: string };

const unknown = (reason: string): Verdict => ({ kind: 'unknown', reason });

/**
 * Top-level 400: the request was refused before any business action (§3.2), so it is definite,
 * except ILLEGAL_SIGN: a rotated key can cause it and the order's state must still be confirmed by
 * query (issue: never treat a signing problem as a failure that frees the client_sn).
 */
function topLevel(envelope: EnvelopeWire): Verdict {
  const code = envelope.error_code ?? '';
  const reason = `top-level ${envelope.result_code} ${code}`.trim();
  if (envelope.result_code === '400' && code !== 'ILLEGAL_SIGN') return { kind: 'definite_failure', reason };
  return unknown(reason);
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
  if (code === 'PAY_FAIL')
    return status === undefined || status === 'PAY_CANCELED'
      ? { kind: 'definite_failure', reason: code }
      : unknown(`PAY_FAIL with order_status ${status}`);
  if (code === 'PAY_IN_PROGRESS') return { kind: 'in_progress', reason: code };
  // An order with this client_sn already exists: its state is unknown to us, query it.
  if (code === 'FAIL' && biz.error_code === 'CLIENT_SN_CONFLICT') return unknown('FAIL CLIENT_SN_CONFLICT');
  // FAIL: "操作失败（不会触发流程）" - nothing happened server-side.
  if (code === 'FAIL') return { kind: 'definite_failure', reason: `FAIL ${biz.error_code ?? ''}`.trim() };
  return unknown(code); // PAY_FAIL_ERROR, PAY_FAIL_IN_PROGRESS, anything undocumented
}

function queryVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  if (code === 'FAIL' && isOrderNotFound(biz.error_code))
    return { kind: 'definite_failure', reason: `FAIL ${biz.error_code}` };
  const status = biz.data?.order_status;
  if (code !== 'SUCCESS' || status === undefined) return unknown(`${code} ${biz.error_code ?? ''}`.trim());
  if (FINAL_ORDER_STATUSES.includes(status)) return { kind: 'success', reason: `SUCCESS ${status}` };
  if (MOVING_ORDER_STATUSES.includes(status)) return { kind: 'in_progress', reason: `SUCCESS ${status}` };
  return unknown(`SUCCESS ${status}`); // PAY_ERROR, CANCEL_ERROR, REFUND_ERROR, INVALID_STATUS_CODE, undocumented
}

/** Refusals that will not change by asking again: a person must look. */
const DEFINITE_REVERSAL_REFUSALS = ['UPAY_TCP_ORDER_NOT_REFUNDABLE', 'UPAY_CANCEL_INVALID_ORDER_STATE'];

function reversalVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  const errorCode = biz.error_code;
  if (code === 'CANCEL_SUCCESS' || code === 'CANCEL_ABORT_SUCCESS') return { kind: 'success', reason: code };
  if (code === 'CANCEL_IN_PROGRESS' || code === 'CANCEL_ABORT_IN_PROGRESS')
    return { kind: 'in_progress', reason: code };
  if (errorCode !== undefined && DEFINITE_REVERSAL_REFUSALS.includes(errorCode)) {
    return { kind: 'definite_failure', reason: `${code} ${errorCode}` };
  }
  // Nothing to reverse: the order does not exist. Definite; the saga confirms it with a query.
  if (code === 'FAIL' && isOrderNotFound(errorCode)) return { kind: 'definite_failure', reason: `FAIL ${errorCode}` };
  // Already reversed (by whom?) - only a query can say what the order is now.
  if (code === 'FAIL' && errorCode === 'UPAY_CANCEL_ORDER_NOOP') return unknown(`FAIL ${errorCode}`);
  if (code === 'FAIL') return { kind: 'definite_failure', reason: `FAIL ${errorCode ?? ''}`.trim() };
  return unknown(`${code} ${errorCode ?? ''}`.trim()); // CANCEL_ERROR, CANCEL_ABORT_ERROR, undocumented
}

function refundVerdict(biz: BizResponseWire): Verdict {
  const code = biz.result_code;
  if (code === 'REFUND_SUCCESS') return { kind: 'success', reason: code };
  if (code === 'REFUND_IN_PROGRESS') return { kind: 'in_progress', reason: code };
  if (code === 'FAIL' && biz.error_code === 'UPAY_REFUND_ORDER_NOOP') return unknown(`FAIL ${biz.error_code}`);
  if (code === 'REFUND_FAIL' || code === 'FAIL')
    return { kind: 'definite_failure', reason: `${code} ${biz.error_code ?? ''}`.trim() };
  return unknown(code); // REFUND_ERROR, undocumented
}

const BIZ_VERDICTS: Record<GatewayOperation, (biz: BizResponseWire) => Verdict> = {
  pay: payVerdict,
  query: queryVerdict,
  cancel: reversalVerdict,
  revoke: reversalVerdict,
  refund: refundVerdict,
};

/**
 * The one place that decides what a gateway answer means. Pure: the same exchange always gives the
 * same result. Anything not positively recognised is `unknown`, never success.
 */
export function classify(operation: GatewayOperation, exchange: RawExchange): GatewayCallResult {
  if (exchange.kind === 'transport') {
    return { operation, kind: 'unknown', reason: `transport ${exchange.code}`, transportError: exchange.code };
  }
  const base = { operation, httpStatus: exchange.status };
  let envelope: EnvelopeWire;
  try {
    envelope = parseEnvelope(exchange.body);
  } catch (err) {
    if (!(err instanceof MalformedResponseError)) throw err;
    return { ...base, kind: 'unknown', reason: `HTTP ${exchange.status}, ${err.reason}` };
  }
  const result: GatewayCallResult = { ...base, kind: 'unknown', reason: '', resultCode: envelope.result_code };
  const biz = envelope.biz_response;
  let verdict: Verdict;
  if (envelope.result_code !== '200' || biz === undefined) {
    verdict = topLevel(envelope);
    if (envelope.error_code !== undefined) result.errorCode = envelope.error_code;
    if (envelope.error_message !== undefined) result.errorMessage = envelope.error_message;
  } else {
    verdict = BIZ_VERDICTS[operation](biz);
    result.bizResultCode = biz.result_code;
    if (biz.error_code !== undefined) result.errorCode = biz.error_code;
    if (biz.error_message !== undefined) result.errorMessage = biz.error_message;
    if (biz.data) result.order = toOrderSnapshot(biz.data);
  }
  // A proxy's error status around a business answer makes it untrustworthy.
  if (exchange.status < 200 || exchange.status > 299) verdict = unknown(`HTTP ${exchange.status}, ${verdict.reason}`);
  return { ...result, ...verdict };
}
