import { BIZ_ERROR_CODES, TOP_LEVEL_ERROR_CODES } from './codes';
import type { EnvelopeWire } from './models';
import { MalformedResponseError, parseEnvelope, toOrderSnapshot } from './parse';
import { BIZ_VERDICTS, unknown, type Verdict } from './verdicts';
import type { GatewayCallResult, GatewayOperation } from '../../workflows/types';

/**
 * What came back from one HTTP exchange, before any interpretation. `not_sent`: the worker held the
 * request back (its deadline or the caller's abort came first) and it never reached the socket;
 * `code` is a CallAbortCode (call-limits.ts).
 */
export type RawExchange =
  | { kind: 'not_sent'; code: string; why: string }
  | { kind: 'transport'; code: string }
  | { kind: 'http'; status: number; body: string };

/** Reason prefix of a call that never left the worker. */
export const NOT_SENT = 'not sent';

const LISTED_BIZ_ERROR_CODES: readonly string[] = BIZ_ERROR_CODES;
const DEFINITE_TOP_LEVEL_CODES: readonly string[] = TOP_LEVEL_ERROR_CODES['400'].filter((c) => c !== 'ILLEGAL_SIGN');

/**
 * Top-level 400: the request was refused before any business action (§3.2), so it is definite when
 * its code is a listed one, except ILLEGAL_SIGN: a rotated key can cause it and the order's state must
 * still be confirmed by query (never treat a signing problem as a failure that frees the client_sn).
 * A 400 with a code no document lists is unknown (money-rules R4), as is every 500.
 */
function topLevel(envelope: EnvelopeWire): Verdict {
  const code = envelope.error_code ?? '';
  const reason = `top-level ${envelope.result_code} ${code}`.trim();
  if (envelope.result_code === '400' && DEFINITE_TOP_LEVEL_CODES.includes(code))
    return { kind: 'definite_failure', reason };
  return unknown(reason);
}

/**
 * The one place that decides what a gateway answer means. Pure: the same exchange always gives the
 * same result. Anything not positively recognised is `unknown`, never success.
 */
export function classify(operation: GatewayOperation, exchange: RawExchange): GatewayCallResult {
  if (exchange.kind === 'not_sent') {
    // A pay that never left took no money (money-rules R5: the saga ends FAILED "not sent"). Any other
    // request that never left tells nothing about the order: unknown, as if its answer were lost.
    const kind = operation === 'pay' ? 'definite_failure' : 'unknown';
    return { operation, kind, reason: `${NOT_SENT}: ${exchange.why}`, transportError: exchange.code };
  }
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
    // money-rules R4: an error code no document lists makes the whole answer unknown, whatever it says.
    if (biz.error_code !== undefined && !LISTED_BIZ_ERROR_CODES.includes(biz.error_code))
      verdict = unknown(`${biz.result_code} with unlisted error_code ${biz.error_code}`);
    result.bizResultCode = biz.result_code;
    if (biz.error_code !== undefined) result.errorCode = biz.error_code;
    if (biz.error_message !== undefined) result.errorMessage = biz.error_message;
    if (biz.data) result.order = toOrderSnapshot(biz.data);
  }
  // A proxy's error status around a business answer makes it untrustworthy.
  if (exchange.status < 200 || exchange.status > 299) verdict = unknown(`HTTP ${exchange.status}, ${verdict.reason}`);
  return { ...result, ...verdict };
}
