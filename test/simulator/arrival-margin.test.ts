import { Pool } from 'undici';
import { NOT_SENT } from '../../activities/gateway/classify';
import { GatewayClient } from '../../activities/gateway/client';
import { ARRIVAL_MARGIN_MS } from '../../activities/gateway/timeouts';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { TERMINAL, newClientSn, orderOf } from './helpers';

/**
 * money-rules R5 end to end over real HTTP, the gateway client against the simulator on the real clock
 * (no Temporal): a request with a send deadline (a revoke's window end, a refund's deadline) leaves at
 * least the arrival margin before it (activities/gateway/timeouts.ts ARRIVAL_MARGIN_MS, call-guard.ts
 * leaveBy). One asked inside the margin, or still queued when the margin starts, is held back: it never
 * reaches the gateway and the money stays where it was. One asked before the margin is sent and lands
 * before its deadline. (fuzz seed 108, generator 2: a revoke written 1 ms before the window's end
 * reached the gateway 16 ms after it.)
 */
const MARGIN_MS = 1_500;

describe('the arrival margin at the gateway (money-rules R5)', () => {
  let sim: RunningSimulator;
  let pool: Pool;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, terminals: [TERMINAL] });
  });
  beforeEach(() => {
    pool = new Pool(sim.url, { connections: 1 });
  });
  afterEach(async () => {
    await pool.destroy();
    sim.reset();
  });
  afterAll(() => sim.close());

  const clientWith = (arrivalMarginMs?: number) =>
    new GatewayClient({
      apiDomain: sim.url,
      dispatcher: pool,
      terminalKey: () => TERMINAL.terminalKey,
      ...(arrivalMarginMs !== undefined ? { arrivalMarginMs } : {}),
    });
  const ref = (clientSn: string) => ({ terminal_sn: TERMINAL.terminalSn, client_sn: clientSn });

  async function paid(client: GatewayClient, clientSn: string, extra: { holdMs?: number } = {}) {
    if (extra.holdMs) sim.setScenario(clientSn, { pay: { holdMs: extra.holdMs } });
    return client.pay({
      terminal_sn: TERMINAL.terminalSn,
      client_sn: clientSn,
      total_amount: '1000',
      dynamic_id: '130818341921441147',
      subject: 's',
      operator: 'o',
    });
  }
  const revokesOf = (clientSn: string) =>
    sim.ledger().requests.filter((r) => r.endpoint.endsWith('revoke') && r.client_sn === clientSn);

  it('a revoke whose deadline is sooner than the margin is held back: nothing reaches the gateway, the order stays PAID', async () => {
    const client = clientWith(MARGIN_MS);
    const clientSn = newClientSn('AM');
    expect(await paid(client, clientSn)).toMatchObject({ kind: 'success' });
    const sendBy = Date.now() + MARGIN_MS / 3;
    const answer = await client.revoke(ref(clientSn), { sendBy });
    expect(answer).toMatchObject({ operation: 'revoke', kind: 'unknown', transportError: 'SEND_DEADLINE' });
    expect(answer.reason).toBe(
      `${NOT_SENT}: the send deadline passed (${new Date(sendBy).toISOString()}, less ${MARGIN_MS} ms to reach the gateway)`,
    );
    expect(revokesOf(clientSn)).toEqual([]);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', kept_fen: 1000 });
  });

  it('a revoke whose deadline is later than the margin is sent and reaches the gateway before it: the order is reversed', async () => {
    const client = clientWith(MARGIN_MS);
    const clientSn = newClientSn('AM');
    expect(await paid(client, clientSn)).toMatchObject({ kind: 'success' });
    const sendBy = Date.now() + MARGIN_MS + 8_000; // generous: the machine running this may be loaded
    expect(await client.revoke(ref(clientSn), { sendBy })).toMatchObject({ operation: 'revoke', kind: 'success' });
    const [arrived] = revokesOf(clientSn);
    expect(arrived?.at).toBeLessThanOrEqual(sendBy - MARGIN_MS);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'CANCELED', kept_fen: 0 });
  });

  it('a revoke still queued behind another call when the margin starts is held back, though its deadline has not passed', async () => {
    const client = clientWith(MARGIN_MS);
    const holder = newClientSn('AMH');
    const clientSn = newClientSn('AM');
    expect(await paid(client, clientSn)).toMatchObject({ kind: 'success' });
    // The pool's one connection is busy with a pay the gateway holds 4 s; the revoke queues behind it.
    const held = paid(client, holder, { holdMs: 4_000 });
    const sendBy = Date.now() + MARGIN_MS + 1_000; // leave by +1 s: still queued then
    const answer = await client.revoke(ref(clientSn), { sendBy });
    expect(Date.now()).toBeLessThan(sendBy); // held back at leaveBy, before the deadline itself
    expect(answer).toMatchObject({ kind: 'unknown', transportError: 'SEND_DEADLINE' });
    expect(answer.reason.startsWith(NOT_SENT)).toBe(true);
    expect(await held).toMatchObject({ kind: 'success' });
    expect(revokesOf(clientSn)).toEqual([]);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', kept_fen: 1000 });
  });

  it('by default the margin is ARRIVAL_MARGIN_MS: a refund due within it is not sent, one due after it is', async () => {
    const client = clientWith();
    const clientSn = newClientSn('AM');
    expect(await paid(client, clientSn)).toMatchObject({ kind: 'success' });
    const refund = (no: string, sendBy: number) =>
      client.refund({ ...ref(clientSn), refund_request_no: no, refund_amount: '100', operator: 'desk' }, { sendBy });
    const early = await refund('R-EDGE', Date.now() + ARRIVAL_MARGIN_MS - 500);
    expect(early).toMatchObject({ operation: 'refund', kind: 'unknown', transportError: 'SEND_DEADLINE' });
    expect(early.reason).toContain(`less ${ARRIVAL_MARGIN_MS} ms to reach the gateway`);
    const inTime = await refund('R-IN-TIME', Date.now() + ARRIVAL_MARGIN_MS + 8_000);
    expect(inTime).toMatchObject({ operation: 'refund', kind: 'success' });
    const refunds = sim.ledger().requests.filter((r) => r.endpoint.endsWith('refund'));
    expect(refunds.map((r) => r.refund_request_no)).toEqual(['R-IN-TIME']);
    expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PARTIAL_REFUNDED', kept_fen: 900 });
  });
});
