import type { RunningSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';

/** Issue 16: refunds as the reference describes them (§4.6, §6.3, §10), over HTTP. */
describe('simulator refund rules', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const refund = (clientSn: string, no: string, amount: string, extra: Record<string, unknown> = {}) =>
    call(sim, 'refund', { client_sn: clientSn, refund_request_no: no, refund_amount: amount, operator: 'r', ...extra });
  const query = (fields: Record<string, unknown>) => call(sim, 'query', fields);

  it('answers with refund_request_no and client_tsn (client_sn-refund_request_no, or the one sent)', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    expect((await refund(clientSn, 'r1', '100')).biz_response?.data).toMatchObject({
      refund_request_no: 'r1',
      client_tsn: `${clientSn}-r1`,
      status: 'SUCCESS',
      order_status: 'PARTIAL_REFUNDED',
      net_amount: '900',
    });
    const sent = await refund(clientSn, 'r2', '100', { client_tsn: 'TSN-2' });
    expect(sent.biz_response?.data).toMatchObject({ refund_request_no: 'r2', client_tsn: 'TSN-2', net_amount: '800' });
  });

  it('queries one refund by refund_request_no; a plain query shows the last one; unknown → the plain answer', async () => {
    const clientSn = newClientSn();
    const sn = (await pay(sim, clientSn)).biz_response?.data?.sn;
    await refund(clientSn, 'first', '300');
    sim.setClockOffset(1_000);
    await refund(clientSn, 'second', '200');
    const first = await query({ client_sn: clientSn, refund_request_no: 'first' });
    expect(first.biz_response).toMatchObject({
      result_code: 'SUCCESS',
      data: { sn, refund_request_no: 'first', client_tsn: `${clientSn}-first`, net_amount: '500', status: 'SUCCESS' },
    });
    const plain = (await query({ sn })).biz_response?.data;
    expect(plain).toMatchObject({ order_status: 'PARTIAL_REFUNDED', refund_request_no: 'second' });
    const unknown = (await query({ sn, refund_request_no: 'nope' })).biz_response?.data;
    expect(unknown).toEqual(plain);
  });

  it('accepts a query by refund_request_no alone (the terminal’s latest refund under it)', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    await refund(clientSn, 'alone-1', '1000');
    const res = await query({ refund_request_no: 'alone-1' });
    expect(res.biz_response).toMatchObject({
      result_code: 'SUCCESS',
      data: { client_sn: clientSn, refund_request_no: 'alone-1', order_status: 'REFUNDED', net_amount: '0' },
    });
    expect((await query({ refund_request_no: 'nobody' })).biz_response?.error_code).toBe('UPAY_ORDER_NOT_EXISTS');
    const logged = sim.ledger().requests.filter((r) => r.endpoint === 'query');
    expect(logged.map((r) => r.refund_request_no)).toEqual(['alone-1', 'nobody']);
  });

  it('repeats of a completed refund: same amount echoed (or NOOP by knob), other amount NOOP, nothing moves', async () => {
    const echo = newClientSn('E');
    const noop = newClientSn('N');
    sim.setScenario(noop, { refundRepeat: 'noop' });
    for (const c of [echo, noop]) {
      await pay(sim, c);
      await refund(c, 'r1', '400');
    }
    expect((await refund(echo, 'r1', '400')).biz_response).toMatchObject({
      result_code: 'REFUND_SUCCESS',
      data: { refund_request_no: 'r1', net_amount: '600' },
    });
    expect((await refund(noop, 'r1', '400')).biz_response).toMatchObject({
      result_code: 'FAIL',
      error_code: 'UPAY_REFUND_ORDER_NOOP',
    });
    expect((await refund(echo, 'r1', '1')).biz_response?.error_code).toBe('UPAY_REFUND_ORDER_NOOP');
    for (const c of [echo, noop]) {
      expect(orderOf(sim, c)).toMatchObject({ refunded_fen: 400, net_amount: '600' });
    }
    const ledger = sim.ledger();
    expect(Object.values(ledger.counters.refunds_by_request)).toEqual([1, 1]);
    expect(orderOf(sim, echo).refunds).toEqual([
      {
        refund_request_no: 'r1',
        amount_fen: 400,
        state: 'landed',
        client_tsn: `${echo}-r1`,
        requested_at: BASE_MS,
        landed_at: BASE_MS,
      },
    ]);
  });

  it('refuses: more than net_amount, fully refunded, reversed, not paid, after three months; refused ⇒ nothing moved', async () => {
    const paid = newClientSn('P');
    const canceled = newClientSn('C');
    const open = newClientSn('O');
    sim.setScenario(open, { pay: { result: 'PAY_IN_PROGRESS' } });
    for (const c of [paid, canceled, open]) await pay(sim, c);
    await call(sim, 'cancel', { client_sn: canceled });

    expect((await refund(paid, 'big', '1001')).biz_response?.error_code).toBe('REFUNDABLE_AMOUNT_NOT_ENOUGH');
    expect((await refund(canceled, 'x', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    expect((await refund(open, 'x', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    await refund(paid, 'all', '1000');
    expect((await refund(paid, 'more', '1')).biz_response).toEqual({
      result_code: 'FAIL',
      error_code: 'UPAY_REFUND_INVALID_ORDER_STATE',
      error_message: '订单已全额退款,可退金额不足',
    });
    for (const c of [canceled, open]) expect(orderOf(sim, c).refunds).toEqual([]);
    expect(orderOf(sim, paid).refunds.map((r) => r.refund_request_no)).toEqual(['all']);

    // Paid 2025-06-02 10:00 Shanghai: refundable until 2025-09-02 10:00, not from then on.
    const late = newClientSn('L');
    await pay(sim, late);
    sim.setClockOffset(Date.UTC(2025, 8, 2, 2, 0, 0) - BASE_MS - 1);
    expect((await refund(late, 'in-time', '1')).biz_response?.result_code).toBe('REFUND_SUCCESS');
    sim.setClockOffset(Date.UTC(2025, 8, 2, 2, 0, 0) - BASE_MS);
    expect((await refund(late, 'too-late', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    expect(orderOf(sim, late)).toMatchObject({ refunded_fen: 1, net_amount: '999' });
  });

  it('refuses a revoke after a refund, and a refund while an accepted reversal is still to land', async () => {
    const refunded = newClientSn('R');
    await pay(sim, refunded);
    await refund(refunded, 'r1', '1');
    expect((await call(sim, 'revoke', { client_sn: refunded })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_INVALID_ORDER_STATE',
    );
    const reversing = newClientSn('V');
    sim.setScenario(reversing, { revoke: [{ effectAfterMs: 5_000 }] });
    await pay(sim, reversing);
    expect((await call(sim, 'revoke', { client_sn: reversing })).biz_response?.result_code).toBe('CANCEL_IN_PROGRESS');
    expect((await refund(reversing, 'r1', '1')).biz_response?.error_code).toBe('UPAY_REFUND_INVALID_ORDER_STATE');
    sim.setClockOffset(5_000);
    expect(orderOf(sim, reversing)).toMatchObject({ order_status: 'CANCELED', refunded_fen: 0, refunds: [] });
  });
});
