import type { RunningSimulator } from '../../simulator';
import { DEFAULT_MERCHANT_SN, SIBLING_TERMINAL_SN, startSimulator } from '../../simulator';
import { call, newClientSn, OTHER_TERMINAL, pay, payFields, startTestSimulator, TERMINAL } from './helpers';
import { control, payWith } from './unfriendly-helpers';

const CONFLICT = { result_code: 'FAIL', error_code: 'CLIENT_SN_CONFLICT' };

/** Knob (e): client_sn unique per merchant; a pay meets someone else's order. */
describe('simulator client_sn per merchant', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('default: every terminal in one merchant, client_sn still scoped to the terminal', async () => {
    const clientSn = newClientSn();
    expect((await call(sim, 'pay', payFields(clientSn), TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await call(sim, 'pay', payFields(clientSn), OTHER_TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(sim.ledger().orders.map((o) => o.merchant_sn)).toEqual([DEFAULT_MERCHANT_SN, DEFAULT_MERCHANT_SN]);
    expect(sim.merchants()).toEqual({
      default_merchant_sn: DEFAULT_MERCHANT_SN,
      client_sn_scope: 'terminal',
      merchants: {},
    });
  });

  it("existingOrder: the pay meets a sibling terminal's order of another amount; a query shows that order", async () => {
    const { clientSn, answer } = await payWith(sim, { existingOrder: { totalAmount: '1' } });
    expect(answer.biz_response).toMatchObject({
      ...CONFLICT,
      error_message: `client_sn ${clientSn} 在系统中已经存在`,
    });
    expect(answer.biz_response?.data).toBeUndefined();
    const theirs = { terminal_sn: SIBLING_TERMINAL_SN, client_sn: clientSn, total_amount: '1' };
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response).toMatchObject({
      result_code: 'SUCCESS',
      data: { ...theirs, order_status: 'PAID' },
    });
    expect(sim.ledger().orders).toEqual([expect.objectContaining({ ...theirs, merchant_sn: DEFAULT_MERCHANT_SN })]);
    expect(sim.ledger().counters.pay_calls_by_client_sn[clientSn]).toBe(1);
    // The retry meets it again and creates nothing.
    expect((await pay(sim, clientSn)).biz_response).toMatchObject(CONFLICT);
    expect(sim.ledger().orders).toHaveLength(1);
  });

  it('a cancel by client_sn then reaches the other order: what a saga must never send', async () => {
    const { clientSn } = await payWith(sim, { existingOrder: { totalAmount: '1' } });
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response?.result_code).toBe('CANCEL_SUCCESS');
    expect(sim.ledger().orders[0]).toMatchObject({ terminal_sn: SIBLING_TERMINAL_SN, order_status: 'CANCELED' });
  });

  it('an existing order still in progress shows CREATED, then the gateway auto-cancels it', async () => {
    const { clientSn, answer } = await payWith(sim, { existingOrder: { status: 'CREATED', totalAmount: '999' } });
    expect(answer.biz_response).toMatchObject(CONFLICT);
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data).toMatchObject({
      order_status: 'CREATED',
      total_amount: '999',
    });
    sim.setClockOffset(100_000);
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('PAY_CANCELED');
  });

  it('an existing order on the same terminal (another amount) by barcode sim-taken-paid-500-same', async () => {
    const clientSn = newClientSn();
    expect((await pay(sim, clientSn, { dynamic_id: 'sim-taken-paid-500-same' })).biz_response).toMatchObject(CONFLICT);
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data).toMatchObject({
      terminal_sn: TERMINAL.terminalSn,
      total_amount: '500',
    });
  });

  it("clientSnScope merchant: a second terminal of the merchant meets the first one's order and sees it", async () => {
    const clientSn = newClientSn();
    await call(sim, 'pay', payFields(clientSn), TERMINAL);
    sim.setScenario(clientSn, { clientSnScope: 'merchant' });
    expect((await call(sim, 'pay', payFields(clientSn), OTHER_TERMINAL)).biz_response).toMatchObject(CONFLICT);
    expect((await call(sim, 'query', { client_sn: clientSn }, OTHER_TERMINAL)).biz_response?.data).toMatchObject({
      terminal_sn: TERMINAL.terminalSn,
      order_status: 'PAID',
    });
  });

  it('terminals of different merchants never meet (POST /_sim/merchants)', async () => {
    const moved = await control(sim, 'POST', '/_sim/merchants', {
      merchant_sn: 'M2',
      terminal_sns: [OTHER_TERMINAL.terminalSn],
    });
    expect(moved).toEqual({
      status: 200,
      json: {
        default_merchant_sn: DEFAULT_MERCHANT_SN,
        client_sn_scope: 'terminal',
        merchants: { M2: [OTHER_TERMINAL.terminalSn] },
      },
    });
    const clientSn = newClientSn();
    sim.setScenario(clientSn, { clientSnScope: 'merchant' });
    expect((await call(sim, 'pay', payFields(clientSn), TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await call(sim, 'pay', payFields(clientSn), OTHER_TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(sim.ledger().orders.map((o) => o.merchant_sn)).toEqual([DEFAULT_MERCHANT_SN, 'M2']);
    expect((await control(sim, 'POST', '/_sim/merchants', { merchant_sn: '', terminal_sns: [] })).status).toBe(400);
    sim.setMerchant(DEFAULT_MERCHANT_SN, [OTHER_TERMINAL.terminalSn]);
  });

  it('simulator-wide clientSnScope merchant: every client_sn spans the merchant', async () => {
    const wide = await startSimulator({ port: 0, terminals: [TERMINAL, OTHER_TERMINAL], clientSnScope: 'merchant' });
    try {
      const clientSn = newClientSn();
      expect((await call(wide, 'pay', payFields(clientSn), TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
      expect((await call(wide, 'pay', payFields(clientSn), OTHER_TERMINAL)).biz_response).toMatchObject(CONFLICT);
      const sn = wide.ledger().orders[0]?.sn;
      expect((await call(wide, 'query', { sn }, OTHER_TERMINAL)).biz_response?.data?.client_sn).toBe(clientSn);
      expect((await control(wide, 'GET', '/_sim/merchants')).json.client_sn_scope).toBe('merchant');
    } finally {
      await wide.close();
    }
  });
});
