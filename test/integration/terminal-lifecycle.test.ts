/**
 * Issue #9 end to end: a terminal's key rotates daily through its Temporal Schedule while payments
 * run, over three simulated days (the simulator's clock moves past midnight, the schedule is
 * triggered as its 00:05 Asia/Shanghai would), with the simulator expiring keys older than one
 * natural day. Real dev server, real worker, real client, simulator over HTTP, keys in a real file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError, type ScheduleHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { GatewayClient } from '../../activities/gateway/client';
import { createGatewayDispatcher } from '../../activities/gateway/http';
import { FileKeyStore } from '../../activities/keys/file-key-store';
import { PaymentsClient } from '../../client/payments-client';
import { DEMO_VENDOR, startSimulator, type RunningSimulator } from '../../simulator';
import { ensureCheckinSchedules, startCheckinNow } from '../../worker/checkin-schedules';
import { createPaymentWorker } from '../../worker/create-worker';
import { checkinNowWorkflowId, checkinScheduleId, CheckinFailure } from '../../workflows/checkin-types';
import { endOfShanghaiDay } from '../../workflows/timing';
import { TEST_GATEWAY_TIMEOUTS } from '../helpers/gateway-timeouts';
import { decodedPayloads } from '../helpers/history-corpus';
import { expectNoOneSidedAccount, newPayment, workflowBundle } from '../helpers/saga-stack';

const DAY_MS = 24 * 60 * 60 * 1000;
const TERMINAL_SN = `3${Date.now()}${process.pid}`.slice(0, 18);
const FIRST_KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const FAST_RETRY = { attempts: 3, intervalMs: 200 };

/** The simulator clock offset that puts it `beforeMs` ahead of the `day`-th coming midnight in Shanghai. */
function offsetBeforeMidnight(day: number, beforeMs: number): number {
  const now = Date.now();
  return endOfShanghaiDay(now) + (day - 1) * DAY_MS - beforeMs - now;
}

let sim: RunningSimulator;
let keyStore: FileKeyStore;
let keyDir: string;
let client: Client;
let payments: PaymentsClient;
let worker: Worker;
let running: Promise<void>;
let closeAll: () => Promise<void>;
let taskQueue: string;
let schedule: ScheduleHandle;
/** Every key this terminal had, as the store recorded them: none may appear in any history. */
const everyKey = new Set<string>([FIRST_KEY]);
/** The terminal the CLI activates: its histories are scanned too. */
let activatedSn = '';

async function until<T>(read: () => T | Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const storedKeys = () => {
  const file = JSON.parse(readFileSync(keyStore.file, 'utf8')) as {
    terminals: Record<string, { currentKey: string; previousKey?: string; lastCheckin?: { ok: boolean } }>;
  };
  const terminal = file.terminals[TERMINAL_SN]!;
  everyKey.add(terminal.currentKey);
  return terminal;
};

/** Ids of this terminal's check-in runs with that status, as visibility lists them. */
async function checkinRuns(status: 'Completed' | 'Failed'): Promise<string[]> {
  const found: string[] = [];
  const query = `WorkflowType="terminalCheckin" AND TerminalSn="${TERMINAL_SN}" AND ExecutionStatus="${status}"`;
  for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
  return found;
}

/** One payment of this terminal, to PAID, consistent with the gateway's ledger. */
async function payToPaid(overrides = {}) {
  const request = newPayment({ terminalSn: TERMINAL_SN, ...overrides });
  const { status } = await payments.pay(request);
  expect(status.state).toBe('PAID');
  expectNoOneSidedAccount(sim, status);
  return request;
}

beforeAll(async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  sim = await startSimulator({
    port: 0,
    terminals: [{ terminalSn: TERMINAL_SN, terminalKey: FIRST_KEY }],
    keyExpiry: true,
  });
  keyDir = mkdtempSync(path.join(tmpdir(), 'keys-'));
  keyStore = new FileKeyStore(path.join(keyDir, 'terminal-keys.json'));
  // A key received today: the worker's start does not check the terminal in (the days below do).
  const today = new Date().toISOString();
  await keyStore.put({ terminalSn: TERMINAL_SN, deviceId: 'till-01', currentKey: FIRST_KEY, keyReceivedAt: today });
  taskQueue = `lifecycle-${process.pid}-${Date.now()}`;
  const connection = await Connection.connect({ address });
  client = new Client({ connection });
  payments = new PaymentsClient(client, taskQueue);
  const nativeConnection = await NativeConnection.connect({ address });
  // As `npm run worker` builds it: the key store's terminals get their check-in schedule at start.
  ({ worker } = await createPaymentWorker({
    connection: nativeConnection,
    config: { apiDomain: sim.url, terminals: [], taskQueue },
    keyStore,
    checkin: { retry: FAST_RETRY, minIntervalMs: 0, log: () => undefined },
    workflowBundle: await workflowBundle(),
    gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
  }));
  running = worker.run();
  schedule = client.schedule.getHandle(checkinScheduleId(TERMINAL_SN));
  closeAll = async () => {
    await schedule.delete().catch(() => undefined);
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await sim.close();
    rmSync(keyDir, { recursive: true, force: true });
  };
});

afterAll(() => closeAll?.());

describe('terminal check-in schedule', () => {
  it('is one schedule per terminal, daily at 00:05 Asia/Shanghai, and creating it again changes nothing', async () => {
    await ensureCheckinSchedules(client, [TERMINAL_SN], { taskQueue, retry: FAST_RETRY });
    const description = await schedule.describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    expect(description.spec.calendars).toHaveLength(1);
    expect(description.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 0, end: 0 }],
      minute: [{ start: 5, end: 5 }],
    });
    // 00:05 in Shanghai is 16:05 UTC the day before.
    const next = description.info.nextActionTimes[0]!;
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([16, 5]);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'terminalCheckin', taskQueue });
    // Its input names the terminal only: no key in the schedule.
    expect(JSON.stringify(description.action)).not.toContain(FIRST_KEY);
  });
});

describe('payments across three simulated days of key rotation', () => {
  it('keeps paying, in flight across each midnight too, and a key two rotations old is rejected', async () => {
    const keys = [FIRST_KEY];
    for (let day = 1; day <= 3; day += 1) {
      // Two seconds before midnight in Shanghai: a payment that the gateway confirms only on its third
      // query, so its confirmation runs across midnight and the rotation.
      const offset = offsetBeforeMidnight(day, 2_000);
      sim.setClockOffset(offset);
      const inFlight = newPayment({ terminalSn: TERMINAL_SN });
      sim.setScenario(inFlight.clientSn, {
        pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 3 } },
      });
      const started = await payments.pay(inFlight, { waitMs: 0 });
      expect(started.outcomeKnown).toBe(false);

      // 00:00:02 the next day (a bigger jump would let the gateway auto-cancel the unpaid order after
      // 100 s); then what the schedule does at 00:05.
      sim.setClockOffset(offset + 4_000);
      await schedule.trigger();
      await until(
        () => sim.terminal(TERMINAL_SN)!.generation,
        (g) => g === day,
        `rotation ${day}`,
      );
      const stored = await until(storedKeys, (t) => t.currentKey !== keys[keys.length - 1], 'the new key stored');
      expect(stored.previousKey).toBe(keys[keys.length - 1]);
      keys.push(stored.currentKey);

      const settled = await payments.waitFor(inFlight, (s) => s.state !== 'PAYING' && s.state !== 'CONFIRMING');
      expect(settled.state).toBe('PAID');
      expectNoOneSidedAccount(sim, settled);
      await payToPaid();
    }
    expect(new Set(keys).size).toBe(4);
    // The gateway now takes the last two keys only; the older ones are refused.
    const signedWith = (key: string) =>
      new GatewayClient({
        apiDomain: sim.url,
        dispatcher: createGatewayDispatcher(sim.url),
        terminalKey: () => key,
      }).query({ terminal_sn: TERMINAL_SN, client_sn: 'no-such-order' });
    expect((await signedWith(keys[1]!)).errorCode).toBe('ILLEGAL_SIGN');
    expect((await signedWith(keys[0]!)).errorCode).toBe('ILLEGAL_SIGN');
    expect((await signedWith(keys[3]!)).errorCode).not.toBe('ILLEGAL_SIGN');
    expect((await signedWith(keys[2]!)).errorCode).not.toBe('ILLEGAL_SIGN');
    // The scheduled runs are visible by terminal.
    const runs = await until(
      () => checkinRuns('Completed'),
      (found) => found.length >= 3,
      'three completed check-ins in visibility',
    );
    expect(runs.every((id) => id.startsWith(checkinScheduleId(TERMINAL_SN)))).toBe(true);
  });
});

describe('a failed check-in', () => {
  it('fails visibly, changes no key, and payments keep working with the stored key', async () => {
    const before = storedKeys();
    expect(sim.setCheckinFault(TERMINAL_SN, FAST_RETRY.attempts, 'error')).toBe(true);
    const handle = await startCheckinNow(client, TERMINAL_SN, { taskQueue, retry: FAST_RETRY });
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause?.cause as { type?: string }).type).toBe(CheckinFailure.NoAnswer);
    expect(JSON.stringify(failure)).not.toContain(before.currentKey);
    const after = storedKeys();
    expect([after.currentKey, after.previousKey]).toEqual([before.currentKey, before.previousKey]);
    expect(after.lastCheckin?.ok).toBe(false);
    await until(
      () => checkinRuns('Failed'),
      (found) => found.includes(checkinNowWorkflowId(TERMINAL_SN)),
      'the failed check-in in visibility',
    );
    await payToPaid();
  });
});

describe('a payment that meets ILLEGAL_SIGN', () => {
  it('is an unknown outcome, never a second pay, and its check-in lets the next payment through', async () => {
    // Two natural days without a check-in: the stored key is too old for payments at the gateway.
    sim.setClockOffset(offsetBeforeMidnight(6, -60_000));
    const generation = sim.terminal(TERMINAL_SN)!.generation;
    const refused = newPayment({ terminalSn: TERMINAL_SN });
    const { status } = await payments.pay(refused);
    // Unknown after pay; the confirming query (signed with the new key) finds no order: a definite FAILED.
    expect(status.state).toBe('FAILED');
    // R5: "no such order" counts once the pay (whose answer was not definite) can no longer arrive.
    const [payCall, ...queries] = status.calls.map((c) => c.reason);
    expect(payCall).toBe('top-level 400 ILLEGAL_SIGN');
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((reason) => reason === 'FAIL UPAY_ORDER_NOT_EXISTS')).toBe(true);
    expect(status.calls[0]).toMatchObject({ operation: 'pay', kind: 'unknown', errorCode: 'ILLEGAL_SIGN' });
    expectNoOneSidedAccount(sim, status);
    // The refused pay never reached the order book, and nothing sent pay again.
    expect(sim.ledger().counters.pay_calls_by_client_sn[refused.clientSn] ?? 0).toBe(0);
    expect(status.calls.filter((c) => c.operation === 'pay')).toHaveLength(1);
    // The ILLEGAL_SIGN asked for a check-in, which rotated the key.
    await until(
      () => sim.terminal(TERMINAL_SN)!.generation,
      (g) => g > generation,
      'the requested check-in',
    );
    const checkin = await client.workflow.getHandle(checkinNowWorkflowId(TERMINAL_SN)).result();
    expect(checkin).toMatchObject({ terminalSn: TERMINAL_SN });
    await payToPaid();
  });
});

/** `npm run client -- …` as a real process: exit code and its one JSON object. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'client/main.ts', ...args],
      { cwd: path.resolve(__dirname, '..', '..'), env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        try {
          resolve({ code, out: JSON.parse(stdout || stderr) as Record<string, unknown> });
        } catch {
          reject(new Error(`not one JSON object (exit ${code}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

describe('CLI activate and checkin', () => {
  it('activates a terminal into the key store, and the worker checks it in on demand', async () => {
    const env = {
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: sim.url,
      SQB_VENDOR_SN: DEMO_VENDOR.vendorSn,
      SQB_VENDOR_KEY: DEMO_VENDOR.vendorKey,
      SQB_APP_ID: 'app-lifecycle',
      SQB_KEY_STORE_FILE: keyStore.file,
    };
    const missing = await cli(['activate', '--device-id', 'till-02'], env);
    expect(missing.code).toBe(2);
    expect(String(missing.out.error)).toContain('code (--code) is required');

    const activated = await cli(['activate', '--code', `sim-code-${Date.now()}`, '--device-id', 'till-02'], env);
    expect(activated).toMatchObject({ code: 0, out: { device_id: 'till-02', activated: true } });
    const terminalSn = String(activated.out.terminal_sn);
    activatedSn = terminalSn;
    const stored = await keyStore.get(terminalSn);
    expect(stored).toMatchObject({ terminalSn, deviceId: 'till-02' });
    expect(JSON.stringify(activated.out)).not.toContain(stored!.currentKey);
    everyKey.add(stored!.currentKey);

    const checkedIn = await cli(['checkin', '--terminal-sn', terminalSn], env);
    expect(checkedIn).toMatchObject({ code: 0, out: { workflowId: checkinNowWorkflowId(terminalSn), terminalSn } });
    expect(sim.terminal(terminalSn)).toMatchObject({ generation: 1, device_id: 'till-02' });
    const rotated = await keyStore.get(terminalSn);
    expect(rotated?.previousKey).toBe(stored!.currentKey);
    everyKey.add(rotated!.currentKey);
    await payToPaid({ terminalSn });
  });
});

describe('secrets', () => {
  it('puts no terminal key into any history of this terminal (payments, check-ins, schedule runs)', async () => {
    storedKeys();
    expect(everyKey.size).toBeGreaterThanOrEqual(5);
    let histories = 0;
    for await (const w of client.workflow.list({
      query: `TerminalSn="${TERMINAL_SN}" OR TerminalSn="${activatedSn}"`,
    })) {
      const history = historyToJSON(await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory());
      // Payloads are base64 in the history: search their decoded text (and the rest as it is).
      const text = [history, ...decodedPayloads(JSON.parse(history))].join('\n');
      expect(text).toContain(w.workflowId.includes('checkin') ? '"terminalSn"' : '"clientSn"');
      for (const key of everyKey) expect(text).not.toContain(key);
      expect(text.toLowerCase()).not.toContain('authorization');
      histories += 1;
    }
    // 3 days × 2 payments, 1 + 1 more, 3 scheduled and 2+ on-demand check-ins.
    expect(histories).toBeGreaterThanOrEqual(12);
  });
});
