import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Pool } from 'undici';
import { HEARTBEAT_EVERY_MS, heartbeatEveryMs } from '../../activities/activity-limits';
import { GatewayClient } from '../../activities/gateway/client';
import { createActivities, type PayInput } from '../../activities/payment-activities';
import { startHoldingGateway, type HoldingGateway } from '../helpers/holding-gateway';

/**
 * money-rules R5 at the activities (MockActivityEnvironment, a real local HTTP server): a gateway call
 * ends with its activity. Cancelling the activity aborts its request in flight, or drops it unsent from
 * the pool's queue; the activity's own time bounds the call; pay's `sendBy` holds a stale pay back.
 */
const TERMINAL_SN = '10298371039';
const KEY = '68d499beda5f72116592f5c527465656';
/** The saga's activity options (workflows/gateway-steps.ts): 10 s heartbeat timeout, minute-long startToClose. */
const SAGA_INFO = { startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 10_000 };

const ref = (clientSn: string) => ({ terminalSn: TERMINAL_SN, clientSn });
const payInput = (clientSn: string, sendBy?: number): PayInput => ({
  terminalSn: TERMINAL_SN,
  clientSn,
  amountFen: 100,
  dynamicId: '130818341921441147',
  subject: 's',
  operator: 'o',
  ...(sendBy !== undefined ? { sendBy } : {}),
});

describe('a gateway call ends with its activity (money-rules R5)', () => {
  let gateway: HoldingGateway;
  let pool: Pool;
  let client: GatewayClient;
  let activities: ReturnType<typeof createActivities>;

  beforeEach(async () => {
    gateway = await startHoldingGateway();
    pool = new Pool(gateway.origin, { connections: 1 });
    // No arrival margin: these tests time `sendBy` itself (call-deadlines.test.ts covers the margin).
    client = new GatewayClient({
      apiDomain: gateway.origin,
      dispatcher: pool,
      terminalKey: () => KEY,
      arrivalMarginMs: 0,
    });
    activities = createActivities({ gateway: client });
  });
  afterEach(async () => {
    await pool.destroy();
    await gateway.close();
  });

  /** Fills the pool's one connection with a query the gateway holds (wrapped: an async function would wait for it). */
  async function saturate(): Promise<{ first: Promise<unknown> }> {
    const first = client.query({ terminal_sn: TERMINAL_SN, client_sn: 'HOLDER' });
    await gateway.arrived(1);
    return { first };
  }

  it('cancelling the activity aborts its request in flight: the activity ends cancelled', async () => {
    const env = new MockActivityEnvironment(SAGA_INFO);
    const cancel = env.run(activities.cancelOrder, ref('IN-FLIGHT'));
    await gateway.arrived(1);
    const started = performance.now();
    env.cancel();
    await expect(cancel).rejects.toBeInstanceOf(CancelledFailure);
    expect(performance.now() - started).toBeLessThan(1_000);
    await waitFor(() => gateway.received[0]?.abandoned === true);
  });

  it("this worker's graceful shutdown does not cut the call: its answer is returned", async () => {
    const env = new MockActivityEnvironment(SAGA_INFO);
    const pay = env.run(activities.payOrder, payInput('PAY-DRAINING'));
    await gateway.arrived(1);
    env.cancel('WORKER_SHUTDOWN');
    await new Promise((resolve) => setTimeout(resolve, 100));
    gateway.release();
    await expect(pay).resolves.toMatchObject({ operation: 'pay', kind: 'success' });
    expect(gateway.received[0]?.abandoned).toBe(false);
  });

  it.each(['TIMED_OUT', 'NOT_FOUND', 'PAUSED'] as const)(
    'a cancellation for %s aborts the call in flight',
    async (reason) => {
      const env = new MockActivityEnvironment(SAGA_INFO);
      const query = env.run(activities.queryOrder, ref(`IN-FLIGHT-${reason}`));
      await gateway.arrived(1);
      env.cancel(reason);
      await expect(query).rejects.toMatchObject({ name: 'CancelledFailure', message: reason });
    },
  );

  it('cancelling the activity drops its queued request: never sent', async () => {
    const { first } = await saturate();
    const env = new MockActivityEnvironment(SAGA_INFO);
    const cancel = env.run(activities.cancelOrder, ref('QUEUED'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    env.cancel();
    await expect(cancel).rejects.toBeInstanceOf(CancelledFailure);
    gateway.release();
    await first;
    await expect(client.query({ terminal_sn: TERMINAL_SN, client_sn: 'AFTER' })).resolves.toMatchObject({
      kind: 'success',
    });
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['HOLDER', 'AFTER']);
  });

  it("a call never outlives its activity's startToClose: it returns in time, as unknown", async () => {
    // 2 s startToClose: a tenth is kept back to report the result, so the call is cut at 1.8 s.
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 2_000, heartbeatTimeoutMs: 10_000 });
    const started = performance.now();
    const result = await env.run(activities.queryOrder, ref('HELD'));
    const tookMs = performance.now() - started;
    expect(result).toMatchObject({ operation: 'query', kind: 'unknown', transportError: 'ACTIVITY_DEADLINE' });
    expect(tookMs).toBeGreaterThanOrEqual(1_750);
    expect(tookMs).toBeLessThan(2_000);
  });

  it("a pay still queued when its activity's time runs out is not sent: definite failure", async () => {
    const { first } = await saturate();
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 500, heartbeatTimeoutMs: 10_000 });
    const result = await env.run(activities.payOrder, payInput('PAY-QUEUED'));
    expect(result).toMatchObject({
      operation: 'pay',
      kind: 'definite_failure',
      reason: expect.stringMatching(/^not sent: /) as string,
      transportError: 'ACTIVITY_DEADLINE',
    });
    gateway.release();
    await first;
    expect(gateway.received.map((r) => r.path)).toEqual(['/upay/v2/query']);
  });

  it('a pay activity that runs after sendBy sends nothing and says "not sent"', async () => {
    const env = new MockActivityEnvironment(SAGA_INFO);
    const sendBy = Date.now() - 1_000;
    const result = await env.run(activities.payOrder, payInput('PAY-STALE', sendBy));
    expect(result).toEqual({
      operation: 'pay',
      kind: 'definite_failure',
      reason: `not sent: the send deadline passed (${new Date(sendBy).toISOString()})`,
      transportError: 'SEND_DEADLINE',
    });
    expect(gateway.received).toEqual([]);
  });

  it('a pay activity whose request is still queued at sendBy sends nothing', async () => {
    const { first } = await saturate();
    const env = new MockActivityEnvironment(SAGA_INFO);
    const result = await env.run(activities.payOrder, payInput('PAY-QUEUED', Date.now() + 200));
    expect(result).toMatchObject({ operation: 'pay', kind: 'definite_failure', transportError: 'SEND_DEADLINE' });
    gateway.release();
    await first;
    expect(gateway.received.map((r) => r.body.client_sn)).toEqual(['HOLDER']);
  });

  it('a pay without sendBy (started before it existed) has no send deadline, and sendBy is never sent', async () => {
    gateway.release();
    const env = new MockActivityEnvironment(SAGA_INFO);
    await expect(env.run(activities.payOrder, payInput('PAY-OLD'))).resolves.toMatchObject({ kind: 'success' });
    await expect(env.run(activities.payOrder, payInput('PAY-NEW', Date.now() + 60_000))).resolves.toMatchObject({
      kind: 'success',
    });
    expect(gateway.received.map((r) => Object.keys(r.body).sort())).toEqual([
      ['client_sn', 'dynamic_id', 'operator', 'subject', 'terminal_sn', 'total_amount'],
      ['client_sn', 'dynamic_id', 'operator', 'subject', 'terminal_sn', 'total_amount'],
    ]);
  });
});

describe('heartbeats report well inside the heartbeat timeout (money-rules R5)', () => {
  it.each([100, 1_000, 5_000, 10_000, 60_000])('at least five beats per %i ms timeout, never above 2 s', (timeout) => {
    expect(heartbeatEveryMs(timeout)).toBeLessThanOrEqual(timeout / 5);
    expect(heartbeatEveryMs(timeout)).toBeLessThanOrEqual(HEARTBEAT_EVERY_MS);
  });

  it("keeps the saga's 2 s beat in its 10 s heartbeat timeout, and 2 s without one", () => {
    expect(heartbeatEveryMs(10_000)).toBe(2_000);
    expect(heartbeatEveryMs(undefined)).toBe(2_000);
  });

  it('beats while a call is in flight, at the pace the timeout asks for', async () => {
    const gateway = await startHoldingGateway();
    const pool = new Pool(gateway.origin, { connections: 1 });
    try {
      const client = new GatewayClient({ apiDomain: gateway.origin, dispatcher: pool, terminalKey: () => KEY });
      const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 500 });
      const beats: number[] = [];
      env.on('heartbeat', () => beats.push(performance.now()));
      const query = env.run(createActivities({ gateway: client }).queryOrder, ref('HELD'));
      await gateway.arrived(1);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      gateway.release();
      await expect(query).resolves.toMatchObject({ kind: 'success' });
      const gaps = beats.slice(1).map((at, i) => at - beats[i]!);
      expect(beats.length).toBeGreaterThanOrEqual(8); // one at the start, then every 100 ms
      expect(Math.max(...gaps)).toBeLessThan(500 / 2);
    } finally {
      await pool.destroy();
      await gateway.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
