import { MockAgent } from 'undici';
import { GatewayClient } from '../../activities/gateway/client';

const ORIGIN = 'http://gateway.test';
const TERMINAL_SN = '10298371039';
const KEY = '68d499beda5f72116592f5c527465656';

type Reply = { error: string } | { status: number; body: string; contentType?: string };

const json = (value: unknown): Reply => ({ status: 200, body: JSON.stringify(value), contentType: 'application/json' });
const success = (biz: Record<string, unknown>): Reply => json({ result_code: '200', biz_response: biz });
const paidData = {
  sn: '7894259244067349',
  client_sn: 'c1',
  order_status: 'PAID',
  total_amount: '100',
  net_amount: '100',
};

/**
 * Every broken or unexpected answer, on every endpoint, is "unknown": never success, never a
 * definite failure that would let the saga give up on money it cannot see.
 */
const FAULTS: [string, Reply][] = [
  ['connection refused', { error: 'ECONNREFUSED' }],
  ['connection reset', { error: 'ECONNRESET' }],
  ['read timeout', { error: 'UND_ERR_HEADERS_TIMEOUT' }],
  ['HTTP 502 HTML page', { status: 502, body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' }],
  ['HTTP 503, empty body', { status: 503, body: '' }],
  ['HTTP 200, empty body', { status: 200, body: '' }],
  ['truncated JSON', { status: 200, body: '{"result_code":"200","biz_response":{"result_code":"PAY_SUC' }],
  ['not JSON', { status: 200, body: 'OK' }],
  ['JSON array', json([1, 2])],
  ['top-level result_code missing', json({ biz_response: { result_code: 'PAY_SUCCESS', data: paidData } })],
  [
    'top-level result_code as a number',
    json({ result_code: 200, biz_response: { result_code: 'PAY_SUCCESS', data: paidData } }),
  ],
  ['top-level 500', json({ result_code: '500', error_code: 'UNKNOWN_SYSTEM_ERROR' })],
  ['unknown top-level code', json({ result_code: '302' })],
  ['biz_response missing', json({ result_code: '200' })],
  ['biz result_code missing', success({ data: paidData })],
  ['unknown biz result_code', success({ result_code: 'PAY_MAYBE', data: paidData })],
  ['biz result_code as a number', success({ result_code: 1, data: paidData })],
  // (PAY_SUCCESS alone is success on pay by the money rule; a bare SUCCESS is not, anywhere.)
  ['SUCCESS without data', success({ result_code: 'SUCCESS' })],
  [
    'success with an unknown order_status',
    success({ result_code: 'SUCCESS', data: { ...paidData, order_status: 'MYSTERY' } }),
  ],
  ['success with order_status missing', success({ result_code: 'SUCCESS', data: { sn: '1', client_sn: 'c1' } })],
  [
    'success with total_amount as a number',
    success({ result_code: 'PAY_SUCCESS', data: { ...paidData, total_amount: 100 } }),
  ],
];

const CALLS = {
  pay: (c: GatewayClient) =>
    c.pay({
      terminal_sn: TERMINAL_SN,
      client_sn: 'c1',
      total_amount: '100',
      dynamic_id: '1',
      subject: 's',
      operator: 'o',
    }),
  query: (c: GatewayClient) => c.query({ terminal_sn: TERMINAL_SN, client_sn: 'c1' }),
  cancel: (c: GatewayClient) => c.cancel({ terminal_sn: TERMINAL_SN, client_sn: 'c1' }),
  revoke: (c: GatewayClient) => c.revoke({ terminal_sn: TERMINAL_SN, client_sn: 'c1' }),
};

describe.each(Object.entries(CALLS))('%s: a broken answer is unknown', (operation, call) => {
  it.each(FAULTS)('%s', async (_label, reply) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const scope = agent.get(ORIGIN).intercept({ path: `/upay/v2/${operation}`, method: 'POST' });
    if ('error' in reply) scope.replyWithError(Object.assign(new Error(reply.error), { code: reply.error }));
    else scope.reply(reply.status, reply.body, { headers: { 'content-type': reply.contentType ?? 'text/plain' } });
    const client = new GatewayClient({ apiDomain: ORIGIN, dispatcher: agent, terminalKey: () => KEY });
    const result = await call(client);
    expect(result).toMatchObject({ operation, kind: 'unknown' });
    expect(JSON.stringify(result)).not.toContain(KEY);
    await agent.close();
  });
});
