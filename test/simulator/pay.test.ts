import { UNPAID_AUTO_CANCEL_MS } from '../../simulator/orders';
import type { RunningSimulator } from '../../simulator';
import { allScalarsAreStrings, BASE_MS, call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';

describe('simulator pay and query', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('pays at once when no scenario is set, with every value a string', async () => {
    const clientSn = newClientSn();
    const res = await pay(sim, clientSn, { reflect: '{"tips":"200"}' });
    expect(res.result_code).toBe('200');
    expect(res.biz_response?.result_code).toBe('PAY_SUCCESS');
    const data = res.biz_response?.data;
    expect(data).toMatchObject({
      client_sn: clientSn,
      order_status: 'PAID',
      status: 'SUCCESS',
      total_amount: '1000',
      net_amount: '1000',
      reflect: '{"tips":"200"}',
    });
    expect(data?.sn).toMatch(/^\d{16}$/);
    expect(data?.trade_no).toBeTruthy();
    expect(data?.finish_time).toMatch(/^\d{13}$/);
    expect(data?.finish_time).toBe(String(BASE_MS));
    expect(allScalarsAreStrings(res)).toBe(true);
  });

  it('gives every order its own 16-digit sn', async () => {
    const sns = new Set<string>();
    for (let i = 0; i < 20; i += 1) sns.add((await pay(sim, newClientSn())).biz_response?.data?.sn ?? '');
    expect(sns.size).toBe(20);
    for (const sn of sns) expect(sn).toMatch(/^\d{16}$/);
  });

  it.each(['PAY_SUCCESS', 'PAY_FAIL', 'PAY_IN_PROGRESS', 'PAY_FAIL_ERROR'] as const)(
    'answers CLIENT_SN_CONFLICT to a reused client_sn after %s, with no second capture',
    async (result) => {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, { pay: { result } });
      const first = await pay(sim, clientSn);
      const before = orderOf(sim, clientSn);
      const second = await pay(sim, clientSn, { total_amount: '5' });
      expect(second).toEqual({
        result_code: '200',
        biz_response: {
          result_code: 'FAIL',
          error_code: 'CLIENT_SN_CONFLICT',
          error_message: `client_sn ${clientSn} 在系统中已经存在`,
        },
      });
      const after = orderOf(sim, clientSn);
      expect(after).toEqual(before);
      expect(after.sn).toBe(first.biz_response?.data?.sn);
      const ledger = sim.ledger();
      expect(ledger.orders.filter((o) => o.client_sn === clientSn)).toHaveLength(1);
      expect(ledger.counters.pay_calls_by_client_sn[clientSn]).toBe(2);
      expect(ledger.counters.captures_by_client_sn[clientSn] ?? 0).toBe(result === 'PAY_SUCCESS' ? 1 : 0);
    },
  );

  it.each([
    [undefined, 'EXPIRED_BARCODE', '过期的支付条码'],
    ['INSUFFICIENT_FUND', 'INSUFFICIENT_FUND', '账户金额不足'],
  ])('fails definitely with PAY_FAIL %s → PAY_CANCELED', async (errorCode, expected, message) => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: errorCode ? { result: 'PAY_FAIL', errorCode } : { result: 'PAY_FAIL' } });
    const res = await pay(sim, clientSn);
    expect(res.biz_response).toMatchObject({
      result_code: 'PAY_FAIL',
      error_code: expected,
      error_message: message,
      data: { order_status: 'PAY_CANCELED', status: 'FAIL_CANCELED', net_amount: '1000' },
    });
    expect(res.biz_response?.data?.trade_no).toBeUndefined();
    expect(orderOf(sim, clientSn).kept_fen).toBe(0);
  });

  it('settles PAY_IN_PROGRESS to PAID on the N-th query', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } } });
    const res = await pay(sim, clientSn);
    expect(res.biz_response).toMatchObject({
      result_code: 'PAY_IN_PROGRESS',
      data: { order_status: 'CREATED', status: 'IN_PROG' },
    });
    expect(res.biz_response?.data?.finish_time).toBeUndefined();
    const q1 = await call(sim, 'query', { client_sn: clientSn });
    expect(q1.biz_response).toMatchObject({ result_code: 'SUCCESS', data: { order_status: 'CREATED' } });
    const q2 = await call(sim, 'query', { client_sn: clientSn });
    expect(q2.biz_response).toMatchObject({
      result_code: 'SUCCESS',
      data: { order_status: 'PAID', status: 'SUCCESS' },
    });
    expect(allScalarsAreStrings(q2)).toBe(true);
    expect(orderOf(sim, clientSn).history.map((t) => [t.to, t.cause])).toEqual([
      ['CREATED', 'pay'],
      ['PAID', 'settle'],
    ]);
  });

  it('settles to PAY_CANCELED with TRADE_TIMEOUT when the user-facing timeout passes (clock offset)', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterMs: 40_000 } } });
    await pay(sim, clientSn);
    sim.setClockOffset(39_999);
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
    sim.setClockOffset(40_000);
    const q = await call(sim, 'query', { client_sn: clientSn });
    expect(q.biz_response?.data).toMatchObject({
      order_status: 'PAY_CANCELED',
      status: 'FAIL_CANCELED',
      finish_time: String(BASE_MS + 40_000),
    });
    const ledger = orderOf(sim, clientSn);
    expect(ledger.history.at(-1)).toEqual({
      at: BASE_MS + 40_000,
      from: 'CREATED',
      to: 'PAY_CANCELED',
      cause: 'settle',
    });
  });

  it('settles to PAY_ERROR after a time', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_ERROR', afterMs: 1000 } } });
    await pay(sim, clientSn);
    sim.setClockOffset(1000);
    expect((await call(sim, 'query', { sn: orderOf(sim, clientSn).sn })).biz_response?.data?.order_status).toBe(
      'PAY_ERROR',
    );
  });

  it('stays CREATED without a settle rule until the gateway auto-cancels it (TRADE_TIMEOUT after 100 s)', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_IN_PROGRESS' } });
    await pay(sim, clientSn);
    sim.setClockOffset(UNPAID_AUTO_CANCEL_MS - 1_000);
    for (let i = 0; i < 5; i += 1) {
      expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
    }
    sim.setClockOffset(UNPAID_AUTO_CANCEL_MS + 1_000);
    const data = (await call(sim, 'query', { client_sn: clientSn })).biz_response?.data;
    expect(data?.order_status).toBe('PAY_CANCELED');
    expect(orderOf(sim, clientSn).history.at(-1)).toMatchObject({ to: 'PAY_CANCELED', cause: 'auto-cancel' });
    expect(orderOf(sim, clientSn).kept_fen).toBe(0);
  });

  it('answers PAY_FAIL_ERROR with order PAY_ERROR, and PAY_FAIL_IN_PROGRESS with order CREATED', async () => {
    const a = newClientSn();
    const b = newClientSn();
    sim.setScenario(a, { pay: { result: 'PAY_FAIL_ERROR' } });
    sim.setScenario(b, { pay: { result: 'PAY_FAIL_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 1 } } });
    const ra = await pay(sim, a);
    expect(ra.biz_response).toMatchObject({
      result_code: 'PAY_FAIL_ERROR',
      data: { order_status: 'PAY_ERROR', status: 'FAIL_ERROR' },
    });
    expect(ra.biz_response?.error_code).toBeTruthy();
    const rb = await pay(sim, b);
    expect(rb.biz_response).toMatchObject({ result_code: 'PAY_FAIL_IN_PROGRESS', data: { order_status: 'CREATED' } });
    expect((await call(sim, 'query', { client_sn: b })).biz_response?.data?.order_status).toBe('PAID');
  });

  it('holds the pay connection, shows CREATED meanwhile, then answers the final result', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { holdMs: 300 } });
    const started = Date.now();
    const pending = pay(sim, clientSn);
    await new Promise((r) => setTimeout(r, 100));
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.biz_response).toMatchObject({ result_code: 'PAY_SUCCESS', data: { order_status: 'PAID' } });
  });

  it('does not settle a held in-progress pay before the hold ends', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, {
      pay: { holdMs: 200, result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 1 } },
    });
    const pending = pay(sim, clientSn);
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
    // The query count is already reached, so the order settles as soon as the hold ends.
    expect((await pending).biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('finds orders by sn before client_sn', async () => {
    const a = newClientSn('A');
    const b = newClientSn('B');
    sim.setScenario(b, { pay: { result: 'PAY_FAIL' } });
    const snA = (await pay(sim, a)).biz_response?.data?.sn;
    await pay(sim, b);
    const both = await call(sim, 'query', { sn: snA, client_sn: b });
    expect(both.biz_response?.data).toMatchObject({ client_sn: a, order_status: 'PAID' });
    const unknownSn = await call(sim, 'query', { sn: '7890000000000000', client_sn: b });
    expect(unknownSn.biz_response?.data).toMatchObject({ client_sn: b, order_status: 'PAY_CANCELED' });
  });

  it.each(['query', 'cancel', 'revoke'] as const)(
    'answers UPAY_ORDER_NOT_EXISTS to %s of an unknown order',
    async (endpoint) => {
      const res = await call(sim, endpoint, { client_sn: 'nobody' });
      expect(res).toEqual({
        result_code: '200',
        biz_response: { result_code: 'FAIL', error_code: 'UPAY_ORDER_NOT_EXISTS', error_message: '订单不存在' },
      });
    },
  );

  it('derives payway from the barcode prefix unless given', async () => {
    const wx = await pay(sim, newClientSn(), { dynamic_id: '134567890123456789' });
    const ali = await pay(sim, newClientSn(), { dynamic_id: '284567890123456789' });
    const given = await pay(sim, newClientSn(), { dynamic_id: '284567890123456789', payway: '3' });
    expect([wx, ali, given].map((r) => r.biz_response?.data?.payway)).toEqual(['3', '2', '3']);
  });
});
