import type { RunningSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, orderOf, payFields, startTestSimulator, TERMINAL } from './helpers';
import { lostCall, payWith, RESET, sleep, statusOf } from './unfriendly-helpers';

/** Knob (c): a request held before processing reaches the books after the client gave up. */
describe('simulator late arrival', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  function withScenario(scenario: Parameters<RunningSimulator['setScenario']>[1]): string {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, scenario);
    return clientSn;
  }

  it('pay: no answer (the client times out), no order until T, then PAID dated T after arrival', async () => {
    const clientSn = withScenario({ pay: { lateMs: 5_000 } });
    expect(await lostCall(sim, 'pay', payFields(clientSn))).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(sim.pending()).toEqual([
      { kind: 'late-pay', due_at: BASE_MS + 5_000, terminal_sn: TERMINAL.terminalSn, client_sn: clientSn },
    ]);
    sim.setClockOffset(4_999);
    expect(await statusOf(sim, clientSn)).toBe('UPAY_ORDER_NOT_EXISTS');
    expect(sim.ledger()).toMatchObject({ orders: [], counters: { pay_calls_by_client_sn: {} } });
    expect(sim.ledger().requests[0]).toMatchObject({ endpoint: 'pay', http_status: 0, fault: 'hang' });

    sim.setClockOffset(5_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', created_at: BASE_MS + 5_000, kept_fen: 1000 });
    expect(sim.ledger().counters).toMatchObject({
      pay_calls_by_client_sn: { [clientSn]: 1 },
      captures_by_client_sn: { [clientSn]: 1 },
    });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    expect(sim.pending()).toEqual([]);
  });

  it('pay: can reset the connection instead (barcode sim-late-2s-lost)', async () => {
    const clientSn = newClientSn();
    expect(RESET).toContain(await lostCall(sim, 'pay', payFields(clientSn, { dynamic_id: 'sim-late-2s-lost' })));
    expect(await statusOf(sim, clientSn)).toBe('UPAY_ORDER_NOT_EXISTS');
    sim.setClockOffset(2_000);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
  });

  it('pay: applies its scenario when it lands (in progress, settling later)', async () => {
    const clientSn = withScenario({
      pay: { lateMs: 1_000, result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 2_000 } },
    });
    await lostCall(sim, 'pay', payFields(clientSn));
    sim.setClockOffset(1_000);
    expect(await statusOf(sim, clientSn)).toBe('CREATED');
    sim.setClockOffset(3_000);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
  });

  it('cancel: the answer is lost now; it reverses the PAID order when it lands', async () => {
    const { clientSn } = await payWith(sim, { cancel: [{ lateMs: 4_000 }] });
    expect(await lostCall(sim, 'cancel', { client_sn: clientSn })).toBe('UND_ERR_HEADERS_TIMEOUT');
    sim.setClockOffset(3_999);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(4_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'CANCELED', kept_fen: 0 });
    expect(orderOf(sim, clientSn).history.at(-1)).toMatchObject({ at: BASE_MS + 4_000, cause: 'cancel' });
  });

  it('cancel: runs against the order as it is when it lands (the customer paid meanwhile)', async () => {
    const { clientSn } = await payWith(sim, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 2_000 } },
      cancel: [{ lateMs: 3_000, fault: 'reset' }],
    });
    expect(RESET).toContain(await lostCall(sim, 'cancel', { client_sn: clientSn }));
    sim.setClockOffset(2_500);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(3_000);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'CANCELED', captured_fen: 1000, reversed_fen: 1000 });
  });

  it('revoke (barcode sim-revoke-late-3s): lands 3 s later', async () => {
    const clientSn = newClientSn();
    await call(sim, 'pay', payFields(clientSn, { dynamic_id: 'sim-revoke-late-3s' }));
    expect(await lostCall(sim, 'revoke', { client_sn: clientSn })).toBe('UND_ERR_HEADERS_TIMEOUT');
    sim.setClockOffset(2_999);
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    sim.setClockOffset(3_000);
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('lands by itself on the real clock, T after arrival', async () => {
    const live = await startTestSimulator(Date.now);
    try {
      const clientSn = newClientSn();
      live.setScenario(clientSn, { pay: { lateMs: 1_500 } });
      const sentAt = Date.now();
      // undici's timers are coarse: the client gives up well before T, whatever it was asked.
      expect(await lostCall(live, 'pay', payFields(clientSn), TERMINAL, 100)).toBe('UND_ERR_HEADERS_TIMEOUT');
      expect(Date.now()).toBeLessThan(sentAt + 1_500);
      expect(live.ledger().orders).toEqual([]);
      expect(live.pending()).toHaveLength(1);
      await sleep(sentAt + 1_600 - Date.now());
      expect(live.pending()).toEqual([]);
      expect(orderOf(live, clientSn).created_at).toBeGreaterThanOrEqual(sentAt + 1_500);
    } finally {
      await live.close();
    }
  });
});
