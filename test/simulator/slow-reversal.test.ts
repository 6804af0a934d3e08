import type { RunningSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, orderOf, pay, startTestSimulator, TERMINAL } from './helpers';
import { lostCall, payWith, RESET, sleep, statusOf } from './unfriendly-helpers';

/** Knob (a): a cancel/revoke the gateway accepts now and completes N ms later. */
describe('simulator slow reversal', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('cancel of a PAID order: CANCEL_IN_PROGRESS now, PAID until N ms, CANCELED from N ms on', async () => {
    const { clientSn, answer } = await payWith(sim, { cancel: [{ effectAfterMs: 5_000 }] });
    const sn = answer.biz_response?.data?.sn;
    const res = await call(sim, 'cancel', { client_sn: clientSn });
    expect(res.biz_response).toMatchObject({ result_code: 'CANCEL_IN_PROGRESS', data: { order_status: 'PAID', sn } });
    expect(sim.pending()).toEqual([
      { kind: 'slow-cancel', due_at: BASE_MS + 5_000, terminal_sn: TERMINAL.terminalSn, client_sn: clientSn, sn },
    ]);

    sim.setClockOffset(4_999);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', kept_fen: 1000, reversed_fen: 0 });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    expect(sim.pending()).toHaveLength(1);

    sim.setClockOffset(5_000);
    // The ledger read alone lands it, dated when it was due.
    expect(orderOf(sim, clientSn)).toMatchObject({
      order_status: 'CANCELED',
      net_amount: '0',
      kept_fen: 0,
      movements: [
        { at: BASE_MS, kind: 'capture', amount_fen: 1000 },
        { at: BASE_MS + 5_000, kind: 'reversal', amount_fen: 1000 },
      ],
    });
    expect(sim.ledger().pending).toEqual([]);
    expect(sim.ledger().counters.reversals_by_sn).toEqual({ [sn!]: 1 });
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('can show CANCEL_INPROGRESS meanwhile: no finish_time, the money still kept', async () => {
    const { clientSn } = await payWith(sim, { cancel: [{ effectAfterMs: 3_000, meanwhile: 'CANCEL_INPROGRESS' }] });
    await call(sim, 'cancel', { client_sn: clientSn });
    sim.setClockOffset(2_999);
    const q = (await call(sim, 'query', { client_sn: clientSn })).biz_response?.data;
    expect(q).toMatchObject({ order_status: 'CANCEL_INPROGRESS', net_amount: '1000' });
    expect(q?.finish_time).toBeUndefined();
    expect(orderOf(sim, clientSn).kept_fen).toBe(1000);
    sim.setClockOffset(3_000);
    expect(orderOf(sim, clientSn)).toMatchObject({
      order_status: 'CANCELED',
      kept_fen: 0,
      history: [
        { from: null, to: 'CREATED', cause: 'pay' },
        { from: 'CREATED', to: 'PAID', cause: 'pay' },
        { at: BASE_MS, from: 'PAID', to: 'CANCEL_INPROGRESS', cause: 'cancel' },
        { at: BASE_MS + 3_000, from: 'CANCEL_INPROGRESS', to: 'CANCELED', cause: 'cancel' },
      ],
    });
  });

  it('can answer CANCEL_SUCCESS before the books show it', async () => {
    const { clientSn } = await payWith(sim, { revoke: [{ effectAfterMs: 2_000, reply: 'success' }] });
    const res = await call(sim, 'revoke', { client_sn: clientSn });
    expect(res.biz_response).toMatchObject({
      result_code: 'CANCEL_SUCCESS',
      data: { order_status: 'CANCELED', net_amount: '0', status: 'SUCCESS' },
    });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    expect(orderOf(sim, clientSn).kept_fen).toBe(1000);
    sim.setClockOffset(2_000);
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('can lose the answer and still land (barcode sim-revoke-lands-15s-lost)', async () => {
    const clientSn = newClientSn();
    expect((await pay(sim, clientSn, { dynamic_id: 'sim-revoke-lands-15s-lost' })).biz_response?.result_code).toBe(
      'PAY_SUCCESS',
    );
    expect(RESET).toContain(await lostCall(sim, 'revoke', { client_sn: clientSn }));
    expect(sim.ledger().requests.find((r) => r.endpoint === 'revoke')).toMatchObject({
      http_status: 0,
      fault: 'reset',
    });
    sim.setClockOffset(14_999);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(15_000);
    expect(orderOf(sim, clientSn).history.at(-1)).toEqual({
      at: BASE_MS + 15_000,
      from: 'PAID',
      to: 'CANCELED',
      cause: 'revoke',
    });
  });

  it('aborts a pay in progress later: CANCEL_ABORT_IN_PROGRESS, then PAY_CANCELED', async () => {
    const { clientSn } = await payWith(sim, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [{ effectAfterMs: 1_000 }],
    });
    const res = await call(sim, 'cancel', { client_sn: clientSn });
    expect(res.biz_response).toMatchObject({
      result_code: 'CANCEL_ABORT_IN_PROGRESS',
      data: { order_status: 'CREATED' },
    });
    expect(await statusOf(sim, clientSn)).toBe('CREATED');
    sim.setClockOffset(1_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAY_CANCELED', captured_fen: 0 });
  });

  it('reverses the money when the customer pays between the accepted abort and its landing', async () => {
    const { clientSn } = await payWith(sim, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 2_000 } },
      cancel: [{ effectAfterMs: 5_000 }],
    });
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.result_code).toBe(
      'CANCEL_ABORT_IN_PROGRESS',
    );
    sim.setClockOffset(3_000);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(5_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'CANCELED', captured_fen: 1000, reversed_fen: 1000 });
  });

  it('refuses as usual, scheduling nothing, when the order cannot be reversed', async () => {
    const { clientSn } = await payWith(sim, { dayEndsAfterPay: true, revoke: [{ effectAfterMs: 1_000 }] });
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_INVALID_ORDER_STATE',
    );
    expect(sim.pending()).toEqual([]);
  });

  it('lands by itself on the real clock, not before its time', async () => {
    const live = await startTestSimulator(Date.now);
    try {
      const clientSn = newClientSn();
      live.setScenario(clientSn, { cancel: [{ effectAfterMs: 300 }] });
      await pay(live, clientSn);
      const acceptedAt = Date.now();
      await call(live, 'cancel', { client_sn: clientSn });
      expect(await statusOf(live, clientSn)).toBe('PAID');
      await sleep(400);
      const reversal = orderOf(live, clientSn).movements.find((m) => m.kind === 'reversal');
      expect(reversal?.at).toBeGreaterThanOrEqual(acceptedAt + 300);
      expect(live.pending()).toEqual([]);
    } finally {
      await live.close();
    }
  });
});
