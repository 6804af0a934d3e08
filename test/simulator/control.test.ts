import { request } from 'undici';
import type { LedgerView, RunningSimulator } from '../../simulator';
import { parseScenario, scenarioFromBarcode } from '../../simulator';
import { BASE_MS, call, newClientSn, pay, startTestSimulator } from './helpers';

async function control(sim: RunningSimulator, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

describe('simulator control endpoints', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('answers health', async () => {
    expect(await control(sim, 'GET', '/_sim/health')).toEqual({ status: 200, json: { status: 'ok' } });
  });

  it('answers unknown paths, precreate included, with the upay client-error envelope', async () => {
    for (const path of ['/upay/v2/nope', '/upay/v2/precreate', '/']) {
      expect(await control(sim, 'POST', path, {})).toEqual({
        status: 200,
        json: { result_code: '400', error_code: 'INVALID_PARAMS', error_message: `不支持的接口: ${path}` },
      });
    }
    expect((await control(sim, 'POST', '/_sim/nope', {})).status).toBe(404);
  });

  it('sets a scenario over HTTP', async () => {
    const clientSn = newClientSn();
    const set = await control(sim, 'POST', '/_sim/scenarios', {
      client_sn: clientSn,
      scenario: { pay: { result: 'PAY_FAIL', errorCode: 'INSUFFICIENT_FUND' } },
    });
    expect(set.status).toBe(200);
    expect((await pay(sim, clientSn)).biz_response).toMatchObject({
      result_code: 'PAY_FAIL',
      error_code: 'INSUFFICIENT_FUND',
    });
  });

  it.each([
    [{ scenario: {} }, 'client_sn'],
    [{ client_sn: 'x', scenario: { pay: { result: 'PAID' } } }, 'pay.result'],
    [{ client_sn: 'x', scenario: { pay: { holdMs: -1 } } }, 'pay.holdMs'],
    [{ client_sn: 'x', scenario: { cancel: ['CANCEL_MAYBE'] } }, 'cancel[0]'],
    [{ client_sn: 'x', scenario: { paay: {} } }, 'paay'],
  ])('rejects a malformed scenario %j naming %s', async (body, field) => {
    const res = await control(sim, 'POST', '/_sim/scenarios', body);
    expect(res.status).toBe(400);
    expect(String(res.json.error)).toContain(field);
  });

  it('shifts the clock over HTTP (revoke across midnight Asia/Shanghai)', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    const moved = await control(sim, 'POST', '/_sim/clock', { offset_ms: 14 * 3600_000 });
    expect(moved.json).toEqual({ now: BASE_MS + 14 * 3600_000, offset_ms: 14 * 3600_000, shanghai_day: '2025-06-03' });
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_INVALID_ORDER_STATE',
    );
    expect((await control(sim, 'POST', '/_sim/clock', { offset_ms: 'soon' })).status).toBe(400);
  });

  it('serves the ledger and resets over HTTP', async () => {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    const ledger = (await control(sim, 'GET', '/_sim/ledger')).json as unknown as LedgerView;
    expect(ledger.orders[0]).toMatchObject({ client_sn: clientSn, order_status: 'PAID', kept_fen: 1000 });
    expect(ledger).toEqual(sim.ledger());
    expect((await control(sim, 'POST', '/_sim/reset')).status).toBe(200);
    expect(sim.ledger().orders).toEqual([]);
  });
});

describe('scenario selection by dynamic_id', () => {
  it.each([
    ['130818341921441147', undefined],
    ['sim-success', {}],
    ['sim-fail', { pay: { result: 'PAY_FAIL' } }],
    ['sim-fail-insufficient-fund', { pay: { result: 'PAY_FAIL', errorCode: 'INSUFFICIENT_FUND' } }],
    ['sim-fail-error', { pay: { result: 'PAY_FAIL_ERROR' } }],
    ['sim-fail-in-progress', { pay: { result: 'PAY_FAIL_IN_PROGRESS' } }],
    ['sim-in-progress', { pay: { result: 'PAY_IN_PROGRESS' } }],
    ['sim-in-progress-paid-2', { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } } }],
    [
      'sim-in-progress-canceled-40s',
      { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterMs: 40_000 } } },
    ],
    ['sim-in-progress-error-500ms', { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_ERROR', afterMs: 500 } } }],
    ['sim-hold-3s', { pay: { holdMs: 3000 } }],
    ['sim-slow-250ms', { latencyMs: 250 }],
    ['sim-reset', { pay: { result: 'PAY_SUCCESS', fault: 'reset', commit: true } }],
    ['sim-hang-created', { pay: { result: 'PAY_IN_PROGRESS', fault: 'hang', commit: true } }],
    ['sim-500', { pay: { result: 'PAY_IN_PROGRESS', fault: 'system-error', commit: true } }],
    ['sim-500-none', { pay: { result: 'PAY_IN_PROGRESS', fault: 'system-error', commit: false } }],
    ['sim-maintenance-paid', { pay: { result: 'PAY_SUCCESS', fault: 'maintenance', commit: true } }],
    ['sim-truncated-json', { pay: { fault: 'truncated-json' } }],
    ['sim-html-502', { pay: { fault: 'html-502' } }],
    [
      'sim-in-progress-not-refundable',
      {
        pay: { result: 'PAY_IN_PROGRESS' },
        cancel: [
          {
            answer: 'CANCEL_ERROR',
            errorCode: 'UPAY_TCP_ORDER_NOT_REFUNDABLE',
            errorMessage: '订单参与了活动并且无法撤销',
          },
        ],
      },
    ],
    ['sim-cancel-flaky', { pay: { result: 'PAY_IN_PROGRESS' }, cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR'] }],
  ])('%s', (barcode, expected) => {
    expect(scenarioFromBarcode(barcode)).toEqual(expected);
    // Every barcode scenario is also a valid JSON scenario.
    if (expected) expect(parseScenario(JSON.parse(JSON.stringify(expected)))).toEqual(expected);
  });

  it('drives a CLI-style order end to end: in-progress, paid on the 2nd query', async () => {
    const sim = await startTestSimulator();
    try {
      const clientSn = newClientSn();
      expect((await pay(sim, clientSn, { dynamic_id: 'sim-in-progress-paid-2' })).biz_response?.result_code).toBe(
        'PAY_IN_PROGRESS',
      );
      expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
      expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('PAID');
    } finally {
      await sim.close();
    }
  });

  it('lets an explicit scenario win over the barcode', async () => {
    const sim = await startTestSimulator();
    try {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, {});
      expect((await pay(sim, clientSn, { dynamic_id: 'sim-fail' })).biz_response?.result_code).toBe('PAY_SUCCESS');
    } finally {
      await sim.close();
    }
  });
});
