import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator, Scenario } from '../../simulator';
import { call, newClientSn, orderOf, pay, payFields, postRaw, startTestSimulator, TERMINAL } from './helpers';

/** Sends a signed pay and returns the raw HTTP answer (for bodies that are not JSON). */
async function rawPay(sim: RunningSimulator, clientSn: string, timeoutMs?: number) {
  const body = JSON.stringify({ terminal_sn: TERMINAL.terminalSn, ...payFields(clientSn) });
  return postRaw(
    sim,
    '/upay/v2/pay',
    body,
    authorizationHeader(TERMINAL.terminalSn, body, TERMINAL.terminalKey),
    timeoutMs,
  );
}

describe('simulator transport faults', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  function withScenario(scenario: Scenario): string {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, scenario);
    return clientSn;
  }

  it('destroys the socket after committing the payment (reset): the query finds it PAID', async () => {
    const clientSn = withScenario({ pay: { fault: 'reset' } });
    const err = await rawPay(sim, clientSn).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(err?.code);
    const q = await call(sim, 'query', { client_sn: clientSn });
    expect(q.biz_response?.data?.order_status).toBe('PAID');
    expect(sim.ledger().requests.find((r) => r.client_sn === clientSn && r.endpoint === 'pay')).toMatchObject({
      http_status: 0,
      fault: 'reset',
      signature_valid: true,
    });
  });

  it('can lose the answer of a still-CREATED pay', async () => {
    const clientSn = withScenario({ pay: { result: 'PAY_IN_PROGRESS', fault: 'reset' } });
    await expect(rawPay(sim, clientSn)).rejects.toThrow();
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
  });

  it('hangs until the client gives up, with the order committed', async () => {
    const clientSn = withScenario({ pay: { fault: 'hang' } });
    await expect(rawPay(sim, clientSn, 300)).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(orderOf(sim, clientSn).order_status).toBe('PAID');
  });

  it.each([
    ['system-error', 'UNKNOWN_SYSTEM_ERROR'],
    ['maintenance', 'MAINTENANCE_INPROGRESS'],
  ] as const)('answers a top-level 500 %s with the order created and unknown by default', async (fault, errorCode) => {
    const clientSn = withScenario({ pay: { result: 'PAY_IN_PROGRESS', fault } });
    const res = await pay(sim, clientSn);
    expect(res).toMatchObject({ result_code: '500', error_code: errorCode });
    expect(res.biz_response).toBeUndefined();
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('CREATED');
  });

  it('answers 500 without creating the order when commit is false: a new pay with that client_sn works', async () => {
    const clientSn = withScenario({ pay: { fault: 'system-error', commit: false } });
    expect((await pay(sim, clientSn)).result_code).toBe('500');
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.error_code).toBe('UPAY_ORDER_NOT_EXISTS');
    sim.setScenario(clientSn, {});
    expect((await pay(sim, clientSn)).biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('sends truncated JSON', async () => {
    const clientSn = withScenario({ pay: { fault: 'truncated-json' } });
    const res = await rawPay(sim, clientSn);
    expect(res.status).toBe(200);
    expect(res.text.startsWith('{"result_code":"200"')).toBe(true);
    expect(() => JSON.parse(res.text) as unknown).toThrow();
    expect(orderOf(sim, clientSn).order_status).toBe('PAID');
  });

  it('sends an HTML 502 page', async () => {
    const clientSn = withScenario({ pay: { fault: 'html-502' } });
    const res = await rawPay(sim, clientSn);
    expect(res.status).toBe(502);
    expect(res.text).toContain('502 Bad Gateway');
  });

  it('applies query faults one per call, then answers normally', async () => {
    const clientSn = withScenario({
      pay: { result: 'PAY_IN_PROGRESS' },
      query: [{ fault: 'html-502' }, { fault: 'system-error' }],
    });
    await pay(sim, clientSn);
    const body = JSON.stringify({ terminal_sn: TERMINAL.terminalSn, client_sn: clientSn });
    const first = await postRaw(
      sim,
      '/upay/v2/query',
      body,
      authorizationHeader(TERMINAL.terminalSn, body, TERMINAL.terminalKey),
    );
    expect(first.status).toBe(502);
    expect((await call(sim, 'query', { client_sn: clientSn })).result_code).toBe('500');
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.result_code).toBe('SUCCESS');
  });

  it('adds latency to every request of the order', async () => {
    const clientSn = withScenario({ latencyMs: 150 });
    let started = Date.now();
    await pay(sim, clientSn);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    started = Date.now();
    await call(sim, 'query', { client_sn: clientSn });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('hangs a cancel after performing it, and the retry is a no-op', async () => {
    const clientSn = withScenario({ pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ fault: 'hang' }] });
    await pay(sim, clientSn);
    await expect(call(sim, 'cancel', { client_sn: clientSn }, TERMINAL, 200)).rejects.toThrow();
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.error_code).toBe(
      'UPAY_CANCEL_ORDER_NOOP',
    );
  });
});

describe('simulator close()', () => {
  it('ends hung and held requests instead of waiting for them', async () => {
    const sim = await startTestSimulator();
    const hung = newClientSn();
    const held = newClientSn();
    sim.setScenario(hung, { pay: { fault: 'hang' } });
    sim.setScenario(held, { pay: { holdMs: 60_000 } });
    // Settle into values at once so an early rejection is never "unhandled".
    const outcomes = [rawPay(sim, hung, 30_000), rawPay(sim, held, 30_000)].map((p) =>
      p.then(
        () => 'answered',
        () => 'dropped',
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await Promise.all(outcomes)).toEqual(['dropped', 'dropped']);
    // The held order is left consistent (the hold ended with the pay applied), not half-written.
    expect(
      sim
        .ledger()
        .orders.map((o) => o.order_status)
        .sort(),
    ).toEqual(['PAID', 'PAID']);
  });
});
