import type { RunningSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';
import { lostCall, payWith, RESET, statusOf } from './unfriendly-helpers';

/** Knob (d): the customer pays at the moment a cancel arrives. */
describe('simulator: the customer pays as the cancel arrives', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('the order turns PAID just before the cancel, which then reverses it: CANCEL_SUCCESS', async () => {
    const { clientSn, answer } = await payWith(sim, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [{ paidFirst: true }],
    });
    expect(answer.biz_response?.result_code).toBe('PAY_IN_PROGRESS');
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject({
      result_code: 'CANCEL_SUCCESS',
      data: { order_status: 'CANCELED', net_amount: '0' },
    });
    expect(orderOf(sim, clientSn)).toMatchObject({
      captured_fen: 1000,
      reversed_fen: 1000,
      kept_fen: 0,
      history: [
        { from: null, to: 'CREATED', cause: 'pay' },
        { at: BASE_MS, from: 'CREATED', to: 'PAID', cause: 'customer-paid' },
        { at: BASE_MS, from: 'PAID', to: 'CANCELED', cause: 'cancel' },
      ],
    });
  });

  it('with a slow reversal: the answer is lost, queries show PAID, the reversal lands N ms later', async () => {
    const { clientSn } = await payWith(sim, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [{ paidFirst: true, effectAfterMs: 4_000, reply: 'reset' }],
    });
    expect(RESET).toContain(await lostCall(sim, 'cancel', { client_sn: clientSn }));
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(3_999);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', kept_fen: 1000 });
    sim.setClockOffset(4_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'CANCELED', kept_fen: 0 });
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('barcode sim-paid-as-cancel', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn, { dynamic_id: 'sim-paid-as-cancel' });
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.result_code).toBe('CANCEL_SUCCESS');
    expect(orderOf(sim, clientSn)).toMatchObject({ captured_fen: 1000, reversed_fen: 1000 });
  });

  it('barcode sim-cancel-lands-3s-paying-lost: paid, answer lost, reversed 3 s later', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn, { dynamic_id: 'sim-cancel-lands-3s-paying-lost' });
    expect(await statusOf(sim, clientSn)).toBe('CREATED');
    expect(RESET).toContain(await lostCall(sim, 'cancel', { client_sn: clientSn }));
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(3_000);
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('captures once when the order was already PAID', async () => {
    const { clientSn } = await payWith(sim, { cancel: [{ paidFirst: true }] });
    await call(sim, 'cancel', { client_sn: clientSn });
    expect(orderOf(sim, clientSn).movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
  });
});
