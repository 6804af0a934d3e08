import type { RawExchange } from '../../activities/gateway/classify';

/** Builders for gateway answers as they travel on the wire (HTTP 200 + JSON). */
export function bizAnswer(
  resultCode: string,
  extra: { error_code?: string; data?: Record<string, string> } = {},
): RawExchange {
  return {
    kind: 'http',
    status: 200,
    body: JSON.stringify({ result_code: '200', biz_response: { result_code: resultCode, ...extra } }),
  };
}

export function topLevelAnswer(resultCode: '400' | '500', errorCode: string): RawExchange {
  return {
    kind: 'http',
    status: 200,
    body: JSON.stringify({ result_code: resultCode, error_code: errorCode, error_message: 'x' }),
  };
}

export function order(orderStatus: string, more: Record<string, string> = {}): Record<string, string> {
  return { sn: '7894259244067349', client_sn: 'ORDER-0001', order_status: orderStatus, total_amount: '100', ...more };
}
