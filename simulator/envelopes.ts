import type { BizResponseWire, EnvelopeWire } from '../activities/gateway/models';
import { messageFor } from './messages';

/** Top-level envelopes (reference §3). All are sent with HTTP 200 unless a transport fault is simulated. */

export function ok(biz: BizResponseWire): EnvelopeWire {
  return { result_code: '200', biz_response: biz };
}

const TOP_LEVEL_MESSAGES: Record<string, string> = {
  ILLEGAL_SIGN: '签名错误',
  INVALID_TERMINAL: '终端错误',
  // Reference §7.1 (ISSUE5: "激活信息异常，请咨询客服[EJ08]"); the bracketed production code is left out.
  ACTIVATE_FAIL: '激活信息异常，请咨询客服',
};

export function clientError(
  errorCode: string,
  errorMessage = TOP_LEVEL_MESSAGES[errorCode] ?? '参数错误',
): EnvelopeWire {
  return { result_code: '400', error_code: errorCode, error_message: errorMessage };
}

export function serverError(errorCode: 'UNKNOWN_SYSTEM_ERROR' | 'MAINTENANCE_INPROGRESS'): EnvelopeWire {
  return { result_code: '500', error_code: errorCode, error_message: messageFor(errorCode) };
}
