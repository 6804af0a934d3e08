import { MockAgent } from 'undici';
import { GatewayClient, UnknownTerminalError } from '../../activities/gateway/client';
import { signBody } from '../../activities/gateway/signing';

const ORIGIN = 'http://gateway.test';

/** The bytes undici put on the wire, as text. */
function bodyText(body: unknown): string {
  return Buffer.isBuffer(body) ? body.toString('utf8') : (body as string);
}
const TERMINAL_SN = '10298371039';
const KEY = '68d499beda5f72116592f5c527465656';

describe('GatewayClient over undici MockAgent', () => {
  let agent: MockAgent;
  let client: GatewayClient;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = new GatewayClient({
      apiDomain: `${ORIGIN}/`,
      dispatcher: agent,
      terminalKey: (sn) => (sn === TERMINAL_SN ? KEY : undefined),
    });
  });

  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('sends exactly the bytes it signed, with "Authorization: <sn> <sign>"', async () => {
    let seenBody = '';
    let seenAuth = '';
    agent
      .get(ORIGIN)
      .intercept({ path: '/upay/v2/query', method: 'POST' })
      .reply(200, (opts) => {
        seenBody = bodyText(opts.body);
        seenAuth = String((opts.headers as Record<string, string>).authorization);
        return {
          result_code: '200',
          biz_response: {
            result_code: 'SUCCESS',
            data: { sn: '7894259244067349', client_sn: 'c1', order_status: 'PAID', total_amount: '100' },
          },
        };
      });

    const result = await client.query({ terminal_sn: TERMINAL_SN, sn: '7894259244067349' });

    expect(seenBody).toBe('{"terminal_sn":"10298371039","sn":"7894259244067349"}');
    expect(seenAuth).toBe('10298371039 418850f2fd6d7297817e0b3c2e2fc148');
    expect(seenAuth).toBe(`${TERMINAL_SN} ${signBody(seenBody, KEY)}`);
    expect(result).toMatchObject({ operation: 'query', kind: 'success', order: { orderStatus: 'PAID' } });
  });

  it('signs UTF-8 bytes of non-ASCII fields the same way it sends them', async () => {
    let seenBody = '';
    let seenAuth = '';
    agent
      .get(ORIGIN)
      .intercept({ path: '/upay/v2/pay', method: 'POST' })
      .reply(200, (opts) => {
        seenBody = bodyText(opts.body);
        seenAuth = String((opts.headers as Record<string, string>).authorization);
        return { result_code: '200', biz_response: { result_code: 'PAY_IN_PROGRESS' } };
      });
    await client.pay({
      terminal_sn: TERMINAL_SN,
      client_sn: 'ORDER-0001',
      total_amount: '100',
      dynamic_id: '130818341921441147',
      subject: '测试',
      operator: 'cashier_01',
    });
    expect(seenAuth).toBe('10298371039 7d3c46256df0b5c98d7b1c163c391b1c');
    expect(seenBody).toContain('"subject":"测试"');
  });

  it('makes one attempt only: a 500 is returned as unknown, not retried', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/upay/v2/cancel', method: 'POST' })
      .reply(200, { result_code: '500', error_code: 'UNKNOWN_SYSTEM_ERROR' })
      .times(1);
    const result = await client.cancel({ terminal_sn: TERMINAL_SN, client_sn: 'c1' });
    expect(result).toMatchObject({ kind: 'unknown', resultCode: '500', errorCode: 'UNKNOWN_SYSTEM_ERROR' });
  });

  it('turns a network error into an unknown result with the transport code', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/upay/v2/pay', method: 'POST' })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const result = await client.pay({
      terminal_sn: TERMINAL_SN,
      client_sn: 'c2',
      total_amount: '1',
      dynamic_id: '1',
      subject: 's',
      operator: 'o',
    });
    expect(result).toMatchObject({ kind: 'unknown', transportError: 'ECONNRESET' });
  });

  it('refuses to call for a terminal without a key, before any request', async () => {
    await expect(client.query({ terminal_sn: 'nobody', client_sn: 'c1' })).rejects.toBeInstanceOf(UnknownTerminalError);
  });
});
