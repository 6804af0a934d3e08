import { Pool } from 'undici';
import { GatewayClient } from '../../activities/gateway/client';
import { ARRIVAL_MARGIN_MS, type CallDeadline } from '../../activities/gateway/timeouts';
import type { GatewayOperation } from '../../workflows/types';
import { startHoldingGateway, type HoldingGateway } from '../helpers/holding-gateway';

/**
 * money-rules R5 at the HTTP client, against a real local server: every call has one deadline that
 * covers its time queued in the pool, and a request held back (deadline, pay's send deadline) never
 * reaches the gateway. The pool has one connection, so a held first request queues the next.
 */
const TERMINAL_SN = '10298371039';
const KEY = '68d499beda5f72116592f5c527465656';
const LONG = { totalMs: 10_000 };

const payBody = (clientSn: string) => ({
  terminal_sn: TERMINAL_SN,
  client_sn: clientSn,
  total_amount: '100',
  dynamic_id: '130818341921441147',
  subject: 's',
  operator: 'o',
});
const ref = (clientSn: string) => ({ terminal_sn: TERMINAL_SN, client_sn: clientSn });

describe('one deadline per call, queue included (money-rules R5)', () => {
  let gateway: HoldingGateway;
  let pool: Pool;

  /** No arrival margin: `sendBy` is the moment itself, so the tests below time the guard to the millisecond. */
  function clientWith(timeouts: Partial<Record<GatewayOperation, CallDeadline>>): GatewayClient {
    return new GatewayClient({
      apiDomain: gateway.origin,
      dispatcher: pool,
      terminalKey: () => KEY,
      timeouts,
      arrivalMarginMs: 0,
    });
  }

  /** Fills the pool's one connection with a query the gateway holds (wrapped: an async function would wait for it). */
  async function saturate(client: GatewayClient): Promise<{ first: Promise<unknown> }> {
    const first = client.query(ref('HOLDER'));
    await gateway.arrived(1);
    return { first };
  }

  /** Lets the held query finish, then sends one more call through the same pool: it must get through. */
  async function drain(client: GatewayClient, first: Promise<unknown>) {
    gateway.release();
    await expect(first).resolves.toMatchObject({ kind: 'success' });
    await expect(client.query(ref('AFTER'))).resolves.toMatchObject({ kind: 'success' });
  }

  beforeEach(async () => {
    gateway = await startHoldingGateway();
    pool = new Pool(gateway.origin, { connections: 1 });
  });
  afterEach(async () => {
    await pool.destroy();
    await gateway.close();
  });

  it('a cancel whose deadline passes while queued is never sent, and the caller hears at once', async () => {
    const client = clientWith({ query: LONG, cancel: { totalMs: 300 } });
    const { first } = await saturate(client);
    const started = performance.now();
    const result = await client.cancel(ref('CANCEL-Q'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({
      operation: 'cancel',
      kind: 'unknown',
      reason: "not sent: the call's 300 ms deadline passed",
      transportError: 'CALL_DEADLINE',
    });
    await drain(client, first);
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['HOLDER', 'AFTER']);
  });

  it('a pay whose deadline passes while queued is never sent: a definite failure "not sent"', async () => {
    const client = clientWith({ query: LONG, pay: { totalMs: 300 } });
    const { first } = await saturate(client);
    const result = await client.pay(payBody('PAY-Q'));
    expect(result).toMatchObject({ operation: 'pay', kind: 'definite_failure', transportError: 'CALL_DEADLINE' });
    expect(result.reason).toMatch(/^not sent: /);
    await drain(client, first);
    expect(gateway.received.map((r) => r.path)).toEqual(['/upay/v2/query', '/upay/v2/query']);
  });

  it('a pay still queued when its send deadline passes is never sent', async () => {
    const client = clientWith({ query: LONG });
    const { first } = await saturate(client);
    const sendBy = Date.now() + 300;
    const result = await client.pay(payBody('PAY-SENDBY'), { sendBy });
    expect(result).toEqual({
      operation: 'pay',
      kind: 'definite_failure',
      reason: `not sent: the send deadline passed (${new Date(sendBy).toISOString()})`,
      transportError: 'SEND_DEADLINE',
    });
    await drain(client, first);
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['HOLDER', 'AFTER']);
  });

  it('a pay made after its send deadline is not sent at all', async () => {
    const client = clientWith({});
    const result = await client.pay(payBody('PAY-LATE'), { sendBy: Date.now() - 1 });
    expect(result).toMatchObject({ operation: 'pay', kind: 'definite_failure', transportError: 'SEND_DEADLINE' });
    gateway.release();
    await expect(client.query(ref('AFTER'))).resolves.toMatchObject({ kind: 'success' });
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['AFTER']);
  });

  it('by default a request leaves at least ARRIVAL_MARGIN_MS before its send deadline, so it reaches the gateway in time', async () => {
    gateway.release();
    const client = new GatewayClient({ apiDomain: gateway.origin, dispatcher: pool, terminalKey: () => KEY });
    const sendBy = Date.now() + ARRIVAL_MARGIN_MS / 2; // the revoke window's end, say
    await expect(client.revoke(ref('REVOKE-AT-THE-EDGE'), { sendBy })).resolves.toEqual({
      operation: 'revoke',
      kind: 'unknown',
      reason: `not sent: the send deadline passed (${new Date(sendBy).toISOString()}, less ${ARRIVAL_MARGIN_MS} ms to reach the gateway)`,
      transportError: 'SEND_DEADLINE',
    });
    const inTime = Date.now() + ARRIVAL_MARGIN_MS + 5_000;
    await expect(client.revoke(ref('REVOKE-IN-TIME'), { sendBy: inTime })).resolves.toMatchObject({ kind: 'success' });
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['REVOKE-IN-TIME']);
  });

  it('a pay that left before its send deadline runs on to its own deadline', async () => {
    const client = clientWith({ pay: LONG });
    const pay = client.pay(payBody('PAY-SENT'), { sendBy: Date.now() + 200 });
    await gateway.arrived(1);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the gateway holds it past sendBy
    gateway.release();
    await expect(pay).resolves.toMatchObject({ operation: 'pay', kind: 'success', reason: 'PAY_SUCCESS PAID' });
    expect(gateway.received[0]?.body).not.toHaveProperty('sendBy');
  });

  it('the deadline covers the read: a held answer is abandoned at the deadline, as unknown', async () => {
    const client = clientWith({ query: { totalMs: 300 } });
    const result = await client.query(ref('HELD'));
    expect(result).toEqual({
      operation: 'query',
      kind: 'unknown',
      reason: 'transport CALL_DEADLINE',
      transportError: 'CALL_DEADLINE',
    });
    await waitFor(() => gateway.received[0]?.abandoned === true);
  });

  it('an aborted caller signal ends a queued call without sending it', async () => {
    const client = clientWith({ query: LONG, revoke: LONG });
    const { first } = await saturate(client);
    const controller = new AbortController();
    const revoke = client.revoke(ref('REVOKE-Q'), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 100);
    await expect(revoke).resolves.toMatchObject({
      kind: 'unknown',
      reason: 'not sent: aborted: gave up',
      transportError: 'ABORTED',
    });
    await drain(client, first);
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['HOLDER', 'AFTER']);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
