import type { OthersMeanwhile, RunningSimulator } from '../../simulator';
import { call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';
import { lostCall, payWith, RESET, statusOf } from './unfriendly-helpers';

/** Knob (b): how other cancels/revokes are answered while a slow reversal is still pending. */
describe('simulator refusals while a reversal is pending', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it.each<[OthersMeanwhile | undefined, Record<string, unknown>]>([
    [undefined, { result_code: 'CANCEL_IN_PROGRESS', data: { order_status: 'PAID' } }],
    ['in-progress', { result_code: 'CANCEL_IN_PROGRESS', data: { order_status: 'PAID' } }],
    ['invalid-state', { result_code: 'FAIL', error_code: 'UPAY_CANCEL_INVALID_ORDER_STATE' }],
    ['not-refundable', { result_code: 'CANCEL_ERROR', error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' }],
  ])('othersMeanwhile %s: later revokes get %j until the first lands, then NOOP', async (others, refusal) => {
    const first = { effectAfterMs: 10_000, reply: 'reset' as const };
    const { clientSn } = await payWith(sim, { revoke: [others ? { ...first, othersMeanwhile: others } : first] });
    expect(RESET).toContain(await lostCall(sim, 'revoke', { client_sn: clientSn }));
    for (const at of [1_000, 9_999]) {
      sim.setClockOffset(at);
      expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toMatchObject(refusal);
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject(refusal);
      expect(await statusOf(sim, clientSn)).toBe('PAID');
    }
    sim.setClockOffset(10_000);
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_ORDER_NOOP',
    );
    const order = orderOf(sim, clientSn);
    expect(order).toMatchObject({ kept_fen: 0, reversed_fen: 1000 });
    expect(sim.ledger().counters.reversals_by_sn[order.sn]).toBe(1);
  });

  it('normal: a later cancel reverses at once and the pending one lands on nothing (never twice)', async () => {
    const { clientSn } = await payWith(sim, { cancel: [{ effectAfterMs: 5_000, othersMeanwhile: 'normal' }] });
    await call(sim, 'cancel', { client_sn: clientSn });
    sim.setClockOffset(1_000);
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject({
      result_code: 'CANCEL_SUCCESS',
      data: { order_status: 'CANCELED' },
    });
    sim.setClockOffset(5_000);
    expect(sim.pending()).toEqual([]);
    const order = orderOf(sim, clientSn);
    expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
    expect(order.movements[1]?.at).toBe(order.created_at + 1_000);
  });

  it('refuses with CANCEL_INPROGRESS showing when the knob shows it', async () => {
    const { clientSn } = await payWith(sim, {
      cancel: [{ effectAfterMs: 5_000, meanwhile: 'CANCEL_INPROGRESS', othersMeanwhile: 'invalid-state' }],
    });
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.result_code).toBe('CANCEL_IN_PROGRESS');
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_INVALID_ORDER_STATE',
    );
    expect(await statusOf(sim, clientSn)).toBe('CANCEL_INPROGRESS');
  });

  it.each([
    ['sim-revoke-lands-15s-lost-refuse', 'UPAY_CANCEL_INVALID_ORDER_STATE'],
    ['sim-revoke-lands-15s-lost-nr', 'UPAY_TCP_ORDER_NOT_REFUNDABLE'],
  ])('barcode %s refuses with %s meanwhile', async (barcode, code) => {
    const clientSn = newClientSn();
    await pay(sim, clientSn, { dynamic_id: barcode });
    expect(RESET).toContain(await lostCall(sim, 'revoke', { client_sn: clientSn }));
    sim.setClockOffset(12_000);
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(code);
    sim.setClockOffset(15_000);
    expect(orderOf(sim, clientSn).order_status).toBe('CANCELED');
  });
});
