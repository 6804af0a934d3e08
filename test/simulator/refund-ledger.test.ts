import type { RunningSimulator } from '../../simulator';
import { allScalarsAreStrings, call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';

describe('simulator refund and ledger', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const refund = (clientSn: string, no: string, amount: string) =>
    call(sim, 'refund', { client_sn: clientSn, refund_request_no: no, refund_amount: amount, operator: 'refunder' });

  it('refunds partially then fully, idempotent by refund_request_no', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    const r1 = await refund(clientSn, 'r1', '300');
    expect(r1.biz_response).toMatchObject({
      result_code: 'REFUND_SUCCESS',
      data: { order_status: 'PARTIAL_REFUNDED', net_amount: '700', refund_request_no: 'r1', operator: 'refunder' },
    });
    expect(allScalarsAreStrings(r1)).toBe(true);
    const again = await refund(clientSn, 'r1', '300');
    expect(again.biz_response).toMatchObject({ result_code: 'REFUND_SUCCESS', data: { net_amount: '700' } });
    expect((await refund(clientSn, 'r1', '200')).biz_response?.error_code).toBe('UPAY_REFUND_ORDER_NOOP');
    expect((await refund(clientSn, 'r2', '701')).biz_response?.error_code).toBe('REFUNDABLE_AMOUNT_NOT_ENOUGH');
    const r2 = await refund(clientSn, 'r2', '700');
    expect(r2.biz_response?.data).toMatchObject({ order_status: 'REFUNDED', net_amount: '0' });
    expect((await refund(clientSn, 'r3', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    expect(orderOf(sim, clientSn)).toMatchObject({
      captured_fen: 1000,
      refunded_fen: 1000,
      reversed_fen: 0,
      kept_fen: 0,
    });
    expect(orderOf(sim, clientSn).movements.map((m) => [m.kind, m.amount_fen])).toEqual([
      ['capture', 1000],
      ['refund', 300],
      ['refund', 700],
    ]);
  });

  it('refuses to refund an order that was never paid', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_IN_PROGRESS' } });
    await pay(sim, clientSn);
    expect((await refund(clientSn, 'r1', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    expect((await refund('nobody', 'r1', '1')).biz_response?.error_code).toBe('UPAY_ORDER_NOT_EXISTS');
  });

  it('reconciles: kept_fen per order and in total, histories, request log and counters', async () => {
    const kept = newClientSn('K');
    const reversed = newClientSn('R');
    const aborted = newClientSn('A');
    const partly = newClientSn('P');
    sim.setScenario(aborted, { pay: { result: 'PAY_IN_PROGRESS' } });
    for (const c of [kept, reversed, aborted, partly]) await pay(sim, c);
    await call(sim, 'cancel', { client_sn: reversed });
    await call(sim, 'cancel', { client_sn: reversed });
    await call(sim, 'cancel', { client_sn: aborted });
    await refund(partly, 'x1', '250');
    await pay(sim, kept);

    const ledger = sim.ledger();
    expect(
      allScalarsAreStrings(ledger.orders.map((o) => [o.terminal_sn, o.sn, o.client_sn, o.total_amount, o.net_amount])),
    ).toBe(true);
    expect(orderOf(sim, kept)).toMatchObject({ order_status: 'PAID', net_amount: '1000', kept_fen: 1000 });
    expect(orderOf(sim, reversed)).toMatchObject({ order_status: 'CANCELED', net_amount: '0', kept_fen: 0 });
    expect(orderOf(sim, aborted)).toMatchObject({ order_status: 'PAY_CANCELED', kept_fen: 0, movements: [] });
    expect(orderOf(sim, partly)).toMatchObject({ order_status: 'PARTIAL_REFUNDED', net_amount: '750', kept_fen: 750 });
    expect(ledger.counters).toMatchObject({
      captured_fen: 3000,
      reversed_fen: 1000,
      refunded_fen: 250,
      kept_fen: 1750,
    });
    expect(ledger.counters.pay_calls_by_client_sn[kept]).toBe(2);
    expect(Object.values(ledger.counters.captures_by_client_sn).every((n) => n === 1)).toBe(true);
    expect(Object.values(ledger.counters.reversals_by_sn).every((n) => n === 1)).toBe(true);
    expect(orderOf(sim, reversed).history.map((t) => `${t.from}->${t.to}:${t.cause}`)).toEqual([
      'null->CREATED:pay',
      'CREATED->PAID:pay',
      'PAID->CANCELED:cancel',
    ]);
    const cancels = ledger.requests.filter((r) => r.endpoint === 'cancel' && r.client_sn === reversed);
    expect(cancels.map((r) => [r.biz_result_code, r.error_code])).toEqual([
      ['CANCEL_SUCCESS', undefined],
      ['FAIL', 'UPAY_CANCEL_ORDER_NOOP'],
    ]);
    for (const r of ledger.requests) {
      expect(r).toMatchObject({ signature_valid: true, http_status: 200, result_code: '200' });
      expect(typeof r.at).toBe('number');
    }
    expect(ledger.orders.every((o) => o.kept_fen === o.captured_fen - o.reversed_fen - o.refunded_fen)).toBe(true);
  });

  it('reset clears orders, scenarios and the log', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { pay: { result: 'PAY_FAIL' } });
    sim.reset();
    expect(sim.ledger()).toMatchObject({ orders: [], requests: [] });
    expect((await pay(sim, clientSn)).biz_response?.result_code).toBe('PAY_SUCCESS');
  });
});
