import type { RunningSimulator, Scenario } from '../../simulator';
import { parseScenario, scenarioFromBarcode } from '../../simulator';
import { BASE_MS, call, newClientSn, orderOf, startTestSimulator, TERMINAL } from './helpers';
import { control, lostCall, payWith, RESET, sleep, statusOf } from './unfriendly-helpers';

/** Issue 16: the unfriendly refund knobs (slow, lost, late, forced codes), set per order, over HTTP. */
describe('simulator refund knobs', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const fields = (clientSn: string, no: string, amount: string) => ({
    client_sn: clientSn,
    refund_request_no: no,
    refund_amount: amount,
    operator: 'r',
  });
  const refund = (clientSn: string, no: string, amount: string) => call(sim, 'refund', fields(clientSn, no, amount));

  it('slow refund: REFUND_IN_PROGRESS now, old state until it lands, reserved meanwhile, reversal refused', async () => {
    const { clientSn, answer } = await payWith(sim, { refund: [{ effectAfterMs: 5_000 }] });
    const sn = answer.biz_response?.data?.sn;
    expect((await refund(clientSn, 'r1', '600')).biz_response).toMatchObject({
      result_code: 'REFUND_IN_PROGRESS',
      data: { order_status: 'PAID', net_amount: '1000', refund_request_no: 'r1', status: 'IN_PROG' },
    });
    expect(sim.pending()).toEqual([
      {
        kind: 'slow-refund',
        due_at: BASE_MS + 5_000,
        terminal_sn: TERMINAL.terminalSn,
        client_sn: clientSn,
        sn,
        refund_request_no: 'r1',
      },
    ]);
    sim.setClockOffset(4_999);
    const shown = (await call(sim, 'query', { client_sn: clientSn, refund_request_no: 'r1' })).biz_response?.data;
    expect(shown).toMatchObject({ order_status: 'PAID', net_amount: '1000' });
    expect(shown?.refund_request_no).toBeUndefined();
    expect((await refund(clientSn, 'r1', '600')).biz_response?.result_code).toBe('REFUND_IN_PROGRESS');
    expect((await refund(clientSn, 'r2', '401')).biz_response?.error_code).toBe('REFUNDABLE_AMOUNT_NOT_ENOUGH');
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_INVALID_ORDER_STATE',
    );
    expect(orderOf(sim, clientSn)).toMatchObject({
      refunded_fen: 0,
      refunds: [{ refund_request_no: 'r1', amount_fen: 600, state: 'pending', requested_at: BASE_MS }],
    });

    sim.setClockOffset(5_000);
    expect(orderOf(sim, clientSn)).toMatchObject({
      order_status: 'PARTIAL_REFUNDED',
      net_amount: '400',
      kept_fen: 400,
      movements: [
        { kind: 'capture', amount_fen: 1000 },
        { at: BASE_MS + 5_000, kind: 'refund', amount_fen: 600, refund_request_no: 'r1' },
      ],
      refunds: [{ refund_request_no: 'r1', state: 'landed', landed_at: BASE_MS + 5_000 }],
    });
    expect((await refund(clientSn, 'r1', '600')).biz_response?.result_code).toBe('REFUND_SUCCESS');
    expect(sim.ledger().counters.refunds_by_request).toEqual({ [`${sn}/r1`]: 1 });
  });

  it('slow refund shown as REFUND_INPROGRESS that fails: nothing moves, the number may be tried again', async () => {
    const step = { effectAfterMs: 3_000, meanwhile: 'REFUND_INPROGRESS', outcome: 'failed' } as const;
    const { clientSn } = await payWith(sim, { refund: [step] });
    await refund(clientSn, 'r1', '1000');
    const during = (await call(sim, 'query', { client_sn: clientSn })).biz_response?.data;
    expect(during).toMatchObject({ order_status: 'REFUND_INPROGRESS', refund_request_no: 'r1', net_amount: '1000' });
    expect(during?.finish_time).toBeUndefined();
    sim.setClockOffset(3_000);
    const after = (await call(sim, 'query', { client_sn: clientSn, refund_request_no: 'r1' })).biz_response?.data;
    expect(after).toMatchObject({ order_status: 'PAID', status: 'REFUND_ERROR', refund_request_no: 'r1' });
    expect(orderOf(sim, clientSn)).toMatchObject({
      kept_fen: 1000,
      refunds: [{ state: 'failed', failed_at: BASE_MS + 3_000 }],
    });
    expect(
      orderOf(sim, clientSn)
        .history.map((t) => `${t.from}->${t.to}:${t.cause}`)
        .slice(2),
    ).toEqual(['PAID->REFUND_INPROGRESS:refund', 'REFUND_INPROGRESS->PAID:refund-failed']);
    expect(orderOf(sim, clientSn).movements).toHaveLength(1);
    expect((await refund(clientSn, 'r1', '1000')).biz_response?.data?.order_status).toBe('REFUNDED');
  });

  it('REFUND_ERROR answers: forced (nothing moved) or a slow refund shown as REFUND_ERROR that lands', async () => {
    const forced = await payWith(sim, { refund: ['REFUND_ERROR'] });
    expect((await refund(forced.clientSn, 'r1', '5')).biz_response).toEqual({ result_code: 'REFUND_ERROR' });
    expect(orderOf(sim, forced.clientSn)).toMatchObject({ refunded_fen: 0, refunds: [] });

    const step = { effectAfterMs: 2_000, meanwhile: 'REFUND_ERROR', reply: 'error' } as const;
    const slow = await payWith(sim, { refund: [step] });
    expect((await refund(slow.clientSn, 'r1', '5')).biz_response).toEqual({ result_code: 'REFUND_ERROR' });
    expect(await statusOf(sim, slow.clientSn)).toBe('REFUND_ERROR');
    sim.setClockOffset(2_000);
    expect(await statusOf(sim, slow.clientSn)).toBe('PARTIAL_REFUNDED');
    expect(orderOf(sim, slow.clientSn)).toMatchObject({ refunded_fen: 5, net_amount: '995' });
  });

  it('lost answer: the refund happened; the retry is answered REFUND_SUCCESS and moves nothing', async () => {
    const { clientSn } = await payWith(sim, { refund: [{ fault: 'reset' }] });
    expect(RESET).toContain(await lostCall(sim, 'refund', fields(clientSn, 'r1', '300')));
    expect(orderOf(sim, clientSn)).toMatchObject({ refunded_fen: 300, order_status: 'PARTIAL_REFUNDED' });
    expect((await refund(clientSn, 'r1', '300')).biz_response?.result_code).toBe('REFUND_SUCCESS');
    expect(orderOf(sim, clientSn).movements.filter((m) => m.kind === 'refund')).toHaveLength(1);
    const logged = sim.ledger().requests.filter((r) => r.endpoint === 'refund');
    expect(logged.map((r) => [r.refund_request_no, r.refund_amount, r.http_status])).toEqual([
      ['r1', '300', 0],
      ['r1', '300', 200],
    ]);
  });

  it('slow refund answered success before the books show it, or lost: the books follow at the due time', async () => {
    const ok = await payWith(sim, { refund: [{ effectAfterMs: 4_000, reply: 'success' }] });
    expect((await refund(ok.clientSn, 'r1', '1000')).biz_response?.data).toMatchObject({
      order_status: 'REFUNDED',
      net_amount: '0',
    });
    expect(orderOf(sim, ok.clientSn)).toMatchObject({ order_status: 'PAID', refunded_fen: 0 });
    const lost = await payWith(sim, { refund: [{ effectAfterMs: 4_000, reply: 'reset' }] });
    expect(RESET).toContain(await lostCall(sim, 'refund', fields(lost.clientSn, 'r1', '1')));
    sim.setClockOffset(4_000);
    expect(orderOf(sim, ok.clientSn)).toMatchObject({ order_status: 'REFUNDED', refunded_fen: 1000 });
    expect(orderOf(sim, lost.clientSn)).toMatchObject({ order_status: 'PARTIAL_REFUNDED', refunded_fen: 1 });
  });

  it('late refund: held before processing; a retry that gets there first makes it a repeat', async () => {
    const { clientSn } = await payWith(sim, { refund: [{ lateMs: 3_000, fault: 'reset' }] });
    expect(RESET).toContain(await lostCall(sim, 'refund', fields(clientSn, 'r1', '200')));
    expect(sim.pending()).toMatchObject([{ kind: 'late-refund', refund_request_no: 'r1' }]);
    expect(orderOf(sim, clientSn).refunds).toEqual([]);
    expect((await refund(clientSn, 'r1', '200')).biz_response?.result_code).toBe('REFUND_SUCCESS');
    sim.setClockOffset(3_000);
    expect(sim.pending()).toEqual([]);
    expect(orderOf(sim, clientSn)).toMatchObject({ refunded_fen: 200, net_amount: '800' });
  });

  it('held refund: the connection waits, then the refund runs; a client that gave up finds it done', async () => {
    // undici's timeouts are coarse (its fast timers tick about once a second): the hold outlasts them.
    const { clientSn } = await payWith(sim, { refund: [{ holdMs: 2_500 }, { holdMs: 100 }] });
    const started = Date.now();
    expect(await lostCall(sim, 'refund', fields(clientSn, 'r1', '10'), TERMINAL, 100)).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(orderOf(sim, clientSn).refunds).toEqual([]);
    while (Date.now() < started + 2_600) await sleep(50);
    expect(orderOf(sim, clientSn)).toMatchObject({ refunded_fen: 10, refunds: [{ state: 'landed' }] });
    expect((await refund(clientSn, 'r2', '5')).biz_response?.data).toMatchObject({ refund_request_no: 'r2' });
  });

  it('sets the knobs through POST /_sim/scenarios and by barcode', async () => {
    const clientSn = newClientSn();
    const scenario = { refund: [{ effectAfterMs: 1_000, meanwhile: 'REFUND_INPROGRESS' }], refundRepeat: 'noop' };
    expect((await control(sim, 'POST', '/_sim/scenarios', { client_sn: clientSn, scenario })).status).toBe(200);
    await call(sim, 'pay', {
      client_sn: clientSn,
      total_amount: '10',
      dynamic_id: '130818341921441147',
      subject: 's',
      operator: 'o',
    });
    await refund(clientSn, 'r1', '10');
    expect(await statusOf(sim, clientSn)).toBe('REFUND_INPROGRESS');
  });

  it('accepts every refund knob as JSON, unchanged', () => {
    const scenario: Scenario = {
      refund: [
        'normal',
        'REFUND_IN_PROGRESS',
        { answer: 'REFUND_FAIL', errorCode: 'X', errorMessage: 'x' },
        { fault: 'hang', commit: false },
        { lateMs: 5, fault: 'reset' },
        { holdMs: 7 },
        { effectAfterMs: 1, meanwhile: 'REFUND_ERROR', reply: 'error', outcome: 'failed' },
        { odd: { resultCode: 'REFUND_WEIRD' } },
      ],
      refundRepeat: 'echo',
    };
    expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });

  it.each<[string, Scenario | undefined]>([
    ['sim-refund-lands-5s', { refund: [{ effectAfterMs: 5_000 }] }],
    [
      'sim-refund-lands-2s-lost-rip',
      { refund: [{ effectAfterMs: 2_000, reply: 'reset', meanwhile: 'REFUND_INPROGRESS' }] },
    ],
    [
      'sim-refund-lands-2s-rip-failed',
      { refund: [{ effectAfterMs: 2_000, meanwhile: 'REFUND_INPROGRESS', outcome: 'failed' }] },
    ],
    [
      'sim-refund-lands-1s-error-rerr',
      { refund: [{ effectAfterMs: 1_000, reply: 'error', meanwhile: 'REFUND_ERROR' }] },
    ],
    ['sim-refund-lands-300ms-ok', { refund: [{ effectAfterMs: 300, reply: 'success' }] }],
    ['sim-refund-late-2s-lost', { refund: [{ lateMs: 2_000, fault: 'reset' }] }],
    ['sim-refund-late-2s-rip', undefined],
    ['sim-refund-reset', { refund: [{ fault: 'reset' }] }],
    ['sim-refund-hold-2s', { refund: [{ holdMs: 2_000 }] }],
    ['sim-refund-error', { refund: ['REFUND_ERROR'] }],
    ['sim-refund-repeat-noop', { refundRepeat: 'noop' }],
  ])('barcode %s', (barcode, expected) => {
    expect(scenarioFromBarcode(barcode)).toEqual(expected);
    if (expected) expect(parseScenario(expected)).toEqual(expected);
    expect(barcode.length).toBeLessThanOrEqual(32);
  });
});
