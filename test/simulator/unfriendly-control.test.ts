import type { LedgerView, RunningSimulator, Scenario } from '../../simulator';
import { parseScenario, scenarioFromBarcode, SIBLING_TERMINAL_SN, UNLISTED_ERROR_CODE } from '../../simulator';
import { BASE_MS, call, newClientSn, pay, startTestSimulator } from './helpers';
import { control, statusOf } from './unfriendly-helpers';

/** The unfriendly knobs through the control API and the scenario JSON, and the pending view. */
describe('simulator unfriendly knobs over the control API', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('takes a slow reversal as scenario JSON and shows it in GET /_sim/pending until it lands', async () => {
    const clientSn = newClientSn();
    const set = await control(sim, 'POST', '/_sim/scenarios', {
      client_sn: clientSn,
      scenario: { cancel: [{ effectAfterMs: 2_000, meanwhile: 'CANCEL_INPROGRESS', reply: 'success' }] },
    });
    expect(set.status).toBe(200);
    const sn = (await pay(sim, clientSn)).biz_response?.data?.sn;
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.result_code).toBe('CANCEL_SUCCESS');
    const pending = await control(sim, 'GET', '/_sim/pending');
    expect(pending.json).toEqual({
      count: 1,
      pending: [
        { kind: 'slow-cancel', due_at: BASE_MS + 2_000, terminal_sn: expect.any(String), client_sn: clientSn, sn },
      ],
    });
    const ledger = (await control(sim, 'GET', '/_sim/ledger')).json as unknown as LedgerView;
    expect(ledger.pending).toEqual(pending.json.pending);
    await control(sim, 'POST', '/_sim/clock', { offset_ms: 2_000 });
    expect((await control(sim, 'GET', '/_sim/pending')).json).toEqual({ count: 0, pending: [] });
    expect(await statusOf(sim, clientSn)).toBe('CANCELED');
  });

  it('reset drops pending effects', async () => {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { revoke: [{ effectAfterMs: 1_000 }] });
    await pay(sim, clientSn);
    await call(sim, 'revoke', { client_sn: clientSn });
    expect(sim.pending()).toHaveLength(1);
    await control(sim, 'POST', '/_sim/reset');
    expect(sim.pending()).toEqual([]);
  });

  it.each([
    [{ cancel: [{ effectAfterMs: -1 }] }, 'cancel[0].effectAfterMs'],
    [{ cancel: [{ meanwhile: 'PAID' }] }, 'cancel[0].meanwhile'],
    [{ revoke: [{ effectAfterMs: 1, reply: 'lost' }] }, 'revoke[0].reply'],
    [{ revoke: [{ effectAfterMs: 1, othersMeanwhile: 'refuse' }] }, 'revoke[0].othersMeanwhile'],
    [{ cancel: [{ lateMs: 1, commit: true }] }, 'cancel[0].commit'],
    [{ cancel: [{ effectAfterMs: 1, paidFirst: 'yes' }] }, 'cancel[0].paidFirst'],
    [{ pay: { lateMs: '5s' } }, 'pay.lateMs'],
    [{ pay: { odd: { resultCode: '' } } }, 'pay.odd.resultCode'],
    [{ query: [{ odd: {} }] }, 'query[0].odd.resultCode'],
    [{ refund: [{ fault: 'lost' }] }, 'refund[0].fault'],
    [{ refund: [{ effectAfterMs: 1, meanwhile: 'PAID' }] }, 'refund[0].meanwhile'],
    [{ refund: [{ outcome: 'maybe' }] }, 'refund[0].outcome'],
    [{ refund: ['CANCEL_ERROR'] }, 'refund[0]'],
    [{ refund: [{ answer: 'CANCEL_ERROR' }] }, 'refund[0].answer'],
    [{ refundRepeat: 'twice' }, 'refundRepeat'],
    [{ clientSnScope: 'store' }, 'clientSnScope'],
    [{ existingOrder: { totalAmount: '0' } }, 'existingOrder.totalAmount'],
    [{ existingOrder: { status: 'REFUNDED' } }, 'existingOrder.status'],
    [{ existingOrder: { settle: { to: 'LATER' } } }, 'existingOrder.settle.to'],
    [{ echoMismatch: { endpoints: ['precreate'] } }, 'echoMismatch.endpoints[0]'],
    [{ echoMismatch: { amount: '1' } }, 'echoMismatch.amount'],
  ])('rejects %j naming %s', async (scenario, path) => {
    const res = await control(sim, 'POST', '/_sim/scenarios', { client_sn: 'x', scenario });
    expect(res.status).toBe(400);
    expect(String(res.json.error)).toContain(path);
  });

  it('accepts every knob as JSON, unchanged', () => {
    const scenario: Scenario = {
      pay: { lateMs: 1_000, fault: 'reset', odd: { resultCode: 'PAY_WEIRD', commit: true } },
      query: [{ odd: { resultCode: '503', errorCode: 'X', errorMessage: 'x', topLevel: true } }],
      cancel: [
        { paidFirst: true, effectAfterMs: 5, meanwhile: 'CANCEL_INPROGRESS', reply: 'hang' },
        { othersMeanwhile: 'not-refundable' },
        { lateMs: 3, fault: 'html-502' },
        { odd: { resultCode: 'CANCEL_WEIRD' } },
      ],
      revoke: [{ effectAfterMs: 0, reply: 'success', othersMeanwhile: 'normal' }],
      refund: ['normal', { odd: { resultCode: 'FAIL', errorCode: 'Y' } }],
      clientSnScope: 'merchant',
      existingOrder: { sameTerminal: true, totalAmount: '1', status: 'CREATED', settle: { to: 'PAID', afterMs: 9 } },
      echoMismatch: { endpoints: ['pay', 'query'], totalAmount: '2', terminalSn: 't', clientSn: 'c' },
    };
    expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });
});

describe('unfriendly scenarios by dynamic_id', () => {
  const NOT_REFUNDABLE = { othersMeanwhile: 'not-refundable' } as const;
  it.each<[string, Scenario | undefined]>([
    ['sim-cancel-lands-5s', { cancel: [{ effectAfterMs: 5_000 }] }],
    ['sim-revoke-lands-15s-lost', { revoke: [{ effectAfterMs: 15_000, reply: 'reset' }] }],
    [
      'sim-revoke-lands-500ms-ok-cip',
      { revoke: [{ effectAfterMs: 500, meanwhile: 'CANCEL_INPROGRESS', reply: 'success' }] },
    ],
    ['sim-revoke-lands-9s-hang-nr', { revoke: [{ effectAfterMs: 9_000, reply: 'hang', ...NOT_REFUNDABLE }] }],
    ['sim-revoke-lands-1s-refuse', { revoke: [{ effectAfterMs: 1_000, othersMeanwhile: 'invalid-state' }] }],
    [
      'sim-cancel-lands-3s-paying-lost',
      { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ effectAfterMs: 3_000, paidFirst: true, reply: 'reset' }] },
    ],
    ['sim-cancel-late-2s', { cancel: [{ lateMs: 2_000 }] }],
    ['sim-revoke-late-2s-lost', { revoke: [{ lateMs: 2_000, fault: 'reset' }] }],
    ['sim-cancel-late-2s-paying', { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ lateMs: 2_000 }] }],
    ['sim-cancel-late-2s-cip', undefined],
    ['sim-paid-as-cancel', { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ paidFirst: true }] }],
    ['sim-late-5s', { pay: { lateMs: 5_000 } }],
    ['sim-late-250ms-lost', { pay: { lateMs: 250, fault: 'reset' } }],
    ['sim-taken-paid', { existingOrder: { status: 'PAID' } }],
    ['sim-taken-created-1', { existingOrder: { status: 'CREATED', totalAmount: '1' } }],
    ['sim-taken-canceled-same', { existingOrder: { status: 'PAY_CANCELED', sameTerminal: true } }],
    ['sim-shared-sn', { clientSnScope: 'merchant' }],
    ['sim-echo-amount-1', { echoMismatch: { totalAmount: '1' } }],
    ['sim-echo-terminal', { echoMismatch: { terminalSn: SIBLING_TERMINAL_SN } }],
    ['sim-echo-client-sn', { echoMismatch: { clientSn: 'sim-another-client-sn' } }],
    ['sim-odd-pay', { pay: { odd: { resultCode: 'PAY_WEIRD' } } }],
    ['sim-odd-refund-fail', { refund: [{ odd: { resultCode: 'FAIL', errorCode: UNLISTED_ERROR_CODE } }] }],
    [
      'sim-odd-cancel-top-commit',
      { cancel: [{ odd: { resultCode: '503', errorCode: UNLISTED_ERROR_CODE, topLevel: true, commit: true } }] },
    ],
  ])('%s', (barcode, expected) => {
    expect(scenarioFromBarcode(barcode)).toEqual(expected);
    if (expected) expect(parseScenario(expected)).toEqual(expected);
    expect(barcode.length).toBeLessThanOrEqual(32);
  });
});
