import type { RunningSimulator } from '../../simulator';
import { SIBLING_TERMINAL_SN } from '../../simulator';
import { call, newClientSn, orderOf, pay, startTestSimulator, TERMINAL } from './helpers';
import { payWith } from './unfriendly-helpers';

/** Knob (f): answers whose order differs from the request; the books keep the true order. */
describe('simulator echo mismatch', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('every answer on the order names another amount; the books keep 1000', async () => {
    const { clientSn, answer } = await payWith(sim, { echoMismatch: { totalAmount: '1' } });
    expect(answer.biz_response).toMatchObject({
      result_code: 'PAY_SUCCESS',
      data: { client_sn: clientSn, total_amount: '1', net_amount: '1', order_status: 'PAID' },
    });
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.total_amount).toBe('1');
    const cancel = await call(sim, 'cancel', { client_sn: clientSn });
    // net_amount 0 after the reversal is not the total: it stays the truth.
    expect(cancel.biz_response?.data).toMatchObject({ total_amount: '1', net_amount: '0' });
    expect(orderOf(sim, clientSn)).toMatchObject({ total_amount: '1000', captured_fen: 1000, reversed_fen: 1000 });
  });

  it('can name another terminal and another client_sn', async () => {
    const { clientSn, answer } = await payWith(sim, {
      echoMismatch: { terminalSn: SIBLING_TERMINAL_SN, clientSn: 'someone-else' },
    });
    expect(answer.biz_response?.data).toMatchObject({ terminal_sn: SIBLING_TERMINAL_SN, client_sn: 'someone-else' });
    expect(orderOf(sim, clientSn).terminal_sn).toBe(TERMINAL.terminalSn);
    // The request log keeps what was asked and the real sn.
    expect(sim.ledger().requests[0]).toMatchObject({ client_sn: clientSn, sn: orderOf(sim, clientSn).sn });
  });

  it('only on the endpoints it names', async () => {
    const { clientSn, answer } = await payWith(sim, { echoMismatch: { endpoints: ['query'], totalAmount: '7' } });
    expect(answer.biz_response?.data?.total_amount).toBe('1000');
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.total_amount).toBe('7');
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.data?.total_amount).toBe('1000');
  });

  it.each([
    ['sim-echo-amount-1', { total_amount: '1' }],
    ['sim-echo-terminal', { terminal_sn: SIBLING_TERMINAL_SN }],
    ['sim-echo-client-sn', { client_sn: 'sim-another-client-sn' }],
  ])('barcode %s', async (barcode, changed) => {
    const clientSn = newClientSn();
    expect((await pay(sim, clientSn, { dynamic_id: barcode })).biz_response?.data).toMatchObject(changed);
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data).toMatchObject(changed);
  });
});
