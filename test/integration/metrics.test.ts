import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { StoredTerminal } from '../../activities/keys/key-store';
import { errorCodeLabel } from '../../activities/metrics';
import { PaymentsClient } from '../../client/payments-client';
import { freePort } from '../../scripts/stack/ports';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE, startSimulator, type RunningSimulator } from '../../simulator';
import { checkinNowWorkflowId, checkinScheduleId } from '../../workflows/checkin-types';
import { paymentWorkflowId, type PaymentRequest, type PaymentStatus } from '../../workflows/types';
import { ledgerOrder, newPayment as newSagaPayment } from '../helpers/saga-stack';

const REPO = path.resolve(__dirname, '..', '..');
/** A terminal of this file only: its check-in schedule lives on the shared dev server. */
const TERMINAL_SN = '100000000000000064';
const TERMINAL_KEY = '5e1f0c3a9b7d2e4f6a8c0b1d3e5f7a9c';
const newPayment = () => newSagaPayment({ terminalSn: TERMINAL_SN });
const NAMES_OF_PAYMENT_IDS = /client_?sn|^sn$|workflow_?id|run_?id|terminal/i;

/** `npm run worker`'s program as its own process, stdout and stderr kept apart (stdout must be JSON only). */
interface WorkerUnderTest {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function startWorker(env: NodeJS.ProcessEnv): Promise<WorkerUnderTest> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker = { child, stdout: () => out, stderr: () => err, exited };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      // Complete lines only: the start line must be whole before anyone parses it.
      if (
        out
          .split('\n')
          .slice(0, -1)
          .some((l) => l.includes('"payment worker: task queue'))
      )
        resolve(worker);
    });
    void exited.then((code) => reject(new Error(`worker exited early (${code}): ${out}${err}`)));
  });
}

/** One sample of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `match`. */
function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** The confirm queries of a payment: the queries right after a pay without a definite answer. */
function confirmQueries(status: PaymentStatus) {
  const [pay, ...rest] = status.calls;
  if (!pay || pay.kind === 'success' || pay.kind === 'definite_failure') return [];
  const end = rest.findIndex((c) => c.operation !== 'query');
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * The worker as operators run it: its own process, JSON logs on stdout, Prometheus on /metrics, health
 * endpoints; payments through the real client against the simulator on the jest dev server.
 */
describe('worker metrics, health and JSON logs (npm run worker as its own process)', () => {
  let sim: RunningSimulator;
  let connection: Connection;
  let client: Client;
  let payments: PaymentsClient;
  let worker: WorkerUnderTest;
  let metricsUrl: string;
  let healthUrl: string;
  let keyDir: string;
  let rotatedKey = '';
  const storedKey = () =>
    (JSON.parse(readFileSync(path.join(keyDir, 'keys.json'), 'utf8')) as { terminals: Record<string, StoredTerminal> })
      .terminals[TERMINAL_SN]!.currentKey;
  const taskQueue = `metrics-${process.pid}-${Date.now()}`;
  /** Every payment this file started, with its final status once known. */
  const finished = new Map<string, PaymentStatus>();
  const started: PaymentRequest[] = [];

  const scrape = async () => parseMetrics((await get(metricsUrl)).body);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] });
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    client = new Client({ connection });
    payments = new PaymentsClient(client, taskQueue);
    // Free ports: the defaults (8081, 9464) would collide with any other worker on this machine.
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    keyDir = mkdtempSync(path.join(tmpdir(), 'metrics-keys-'));
    worker = await startWorker({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
      // A key store: the worker checks the terminal in at once (its key is not from today) and daily.
      SQB_KEY_STORE_FILE: path.join(keyDir, 'keys.json'),
      SQB_DEVICE_ID: 'metrics-till-1',
      WORKER_HEALTH_PORT: '0', // any free port: the start line says which
      WORKER_METRICS_ADDRESS: metricsAddress,
      WORKER_LOG_FORMAT: 'json',
      // No sticky cache: every workflow task replays the whole history first, so a counter emitted
      // during replay would show up here as a count too many.
      WORKER_MAX_CACHED_WORKFLOWS: '0',
    });
    const banner = worker
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { message: string; healthPort?: number; metricsAddress?: string })
      .find((line) => line.message.startsWith('payment worker: task queue'))!;
    expect(banner.metricsAddress).toBe(metricsAddress);
    expect(banner.healthPort).toBeGreaterThan(0);
    healthUrl = `http://127.0.0.1:${banner.healthPort}`;
    metricsUrl = `http://${metricsAddress}/metrics`;
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    // Payments left open (NEEDS_ATTENTION, the one cut by the drain) would wait forever on this task queue.
    for (const request of started) {
      await client?.workflow
        .getHandle(paymentWorkflowId(request.terminalSn, request.clientSn))
        .terminate('metrics test done')
        .catch(() => undefined);
    }
    await client?.schedule
      .getHandle(checkinScheduleId(TERMINAL_SN))
      .delete()
      .catch(() => undefined);
    await connection?.close();
    await sim?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('answers /healthz and /readyz with 200 while the worker polls', async () => {
    expect(await get(`${healthUrl}/healthz`)).toEqual({ status: 200, body: JSON.stringify({ status: 'ok' }) });
    const ready = await get(`${healthUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', state: 'RUNNING' });
    expect((await get(`${healthUrl}/metrics`)).status).toBe(404);
  });

  it("serves the SDK runtime's own metrics on the same /metrics", async () => {
    const samples = await scrape();
    expect(total(samples, 'temporal_worker_start', { task_queue: taskQueue })).toBe(1);
    expect(samples.some((s) => s.name === 'temporal_num_pollers' && s.labels.task_queue === taskQueue)).toBe(true);
  });

  it('counts the check-in the worker ran at start, and its gateway call', async () => {
    await client.workflow.getHandle(checkinNowWorkflowId(TERMINAL_SN)).result();
    expect(sim.terminal(TERMINAL_SN)?.generation).toBe(1); // the key rotated once
    let samples = await scrape();
    for (let i = 0; i < 50 && total(samples, 'upay_checkins_total') === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      samples = await scrape();
    }
    expect(total(samples, 'upay_checkins_total', { result: 'ok' })).toBe(1);
    expect(total(samples, 'upay_checkins_total')).toBe(1);
    expect(
      total(samples, 'upay_gateway_calls_total', { endpoint: 'checkin', kind: 'success', error_code: 'none' }),
    ).toBe(1);
    expect(total(samples, 'upay_gateway_latency_ms_count', { endpoint: 'checkin' })).toBe(1);
    // Payments from here on are signed with the new key, which stays in the key store file (and
    // must never reach a log line either: the log test scans for it).
    rotatedKey = storedKey();
    expect(rotatedKey).toMatch(/^[0-9a-f]{32}$/);
    expect(rotatedKey).not.toBe(TERMINAL_KEY);
  });

  it('moves the business counters by exactly what the payments did', async () => {
    const before = await scrape();
    const pay = (request: PaymentRequest, scenario?: Parameters<RunningSimulator['setScenario']>[1]) => {
      if (scenario) sim.setScenario(request.clientSn, scenario);
      started.push(request);
      return payments.pay(request);
    };
    const paid = newPayment();
    const toRevoke = newPayment();
    const failed = newPayment();
    const canceled = newPayment();
    const attention = newPayment();
    // The revoke goes as soon as its payment is PAID: a revoke leaves the worker at least 2 s before the
    // window's end (ARRIVAL_MARGIN_MS), and the others' outcomes take seconds of this 6 s window.
    const revokeWhenPaid = pay(toRevoke).then(async (outcome) => ({
      outcome,
      revoked: await payments.revoke(toRevoke, { operator: 'ops', reason: 'metrics test' }),
    }));
    const [revoke, ...outcomes] = await Promise.all([
      revokeWhenPaid,
      pay(paid),
      pay(failed, { pay: { result: 'PAY_FAIL' } }),
      pay(canceled, { pay: { result: 'PAY_IN_PROGRESS' } }),
      pay(attention, { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE] }),
    ]);
    expect(revoke.outcome.status.state).toBe('PAID');
    expect(revoke.revoked).toMatchObject({ state: 'REVOKED' });
    expect(outcomes.map((o) => o.status.state)).toEqual(['PAID', 'FAILED', 'CANCELED', 'NEEDS_ATTENTION']);

    // Every payment but the escalated one closes when its revoke window does (FAST_TIMING: seconds).
    for (const request of [paid, toRevoke, failed, canceled]) {
      const handle = client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
      finished.set(request.clientSn, (await handle.result()) as PaymentStatus);
    }
    finished.set(attention.clientSn, await payments.status(attention));
    const statuses = [...finished.values()];
    expect(statuses.map((s) => s.state)).toEqual(['PAID', 'REVOKED', 'FAILED', 'CANCELED', 'NEEDS_ATTENTION']);

    const calls = statuses.flatMap((s) => s.calls);
    const confirm = statuses.flatMap(confirmQueries);
    const cancels = calls.filter((c) => c.operation === 'cancel');
    expect(confirm.length).toBeGreaterThanOrEqual(2);
    expect(cancels.length).toBeGreaterThanOrEqual(2);

    /** Counter increase since `before`, summed over the series that match. */
    const expected: [string, Record<string, string>, number][] = [
      ['upay_payments_total', { outcome: 'PAID' }, 2],
      ['upay_payments_total', { outcome: 'FAILED' }, 1],
      ['upay_payments_total', { outcome: 'CANCELED' }, 1],
      ['upay_payments_total', { outcome: 'NEEDS_ATTENTION' }, 1],
      ['upay_payments_total', {}, 5],
      ['upay_payments_closed_total', { state: 'PAID' }, 1],
      ['upay_payments_closed_total', { state: 'REVOKED' }, 1],
      ['upay_payments_closed_total', { state: 'FAILED' }, 1],
      ['upay_payments_closed_total', { state: 'CANCELED' }, 1],
      ['upay_payments_closed_total', {}, 4],
      ['upay_escalations_total', { stage: 'cancel' }, 1],
      ['upay_escalations_total', {}, 1],
      ['upay_revokes_total', { result: 'REVOKED' }, 1],
      ['upay_revokes_total', {}, 1],
      ['upay_confirm_polls_total', {}, confirm.length],
      ['upay_confirm_polls_total', { kind: 'in_progress' }, confirm.filter((c) => c.kind === 'in_progress').length],
      ['upay_cancel_attempts_total', {}, cancels.length],
      ['upay_cancel_attempts_total', { kind: 'definite_failure' }, 1],
      ['upay_cancel_attempts_total', { kind: 'success' }, cancels.filter((c) => c.kind === 'success').length],
      ['upay_gateway_calls_total', { endpoint: 'pay', kind: 'success', error_code: 'none' }, 2],
      ['upay_gateway_calls_total', { endpoint: 'pay', kind: 'definite_failure', error_code: 'EXPIRED_BARCODE' }, 1],
      [
        'upay_gateway_calls_total',
        { endpoint: 'cancel', kind: 'definite_failure', error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' },
        1,
      ],
    ];
    // Every call the statuses recorded, by the labels the activity gives it: calls and latency samples.
    const byLabels = new Map<string, number>();
    for (const c of calls) {
      const key = JSON.stringify({ endpoint: c.operation, kind: c.kind, error_code: errorCodeLabel(c) });
      byLabels.set(key, (byLabels.get(key) ?? 0) + 1);
    }
    for (const [key, n] of byLabels) {
      const labels = JSON.parse(key) as Record<string, string>;
      expected.push(['upay_gateway_calls_total', labels, n], ['upay_gateway_latency_ms_count', labels, n]);
    }
    const increase = (after: Sample[], name: string, labels: Record<string, string>) =>
      total(after, name, labels) - total(before, name, labels);
    const delta = (after: Sample[]) => expected.map(([name, labels]) => [name, labels, increase(after, name, labels)]);
    // The workflow's counters leave through a sink after each workflow task: give the last ones a moment.
    let after = await scrape();
    for (let i = 0; i < 50 && JSON.stringify(delta(after)) !== JSON.stringify(expected); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    expect(delta(after)).toEqual(expected);
    // …although every workflow task of every payment replayed its history (evicted after each task).
    expect(total(after, 'temporal_sticky_cache_total_forced_eviction', { task_queue: taskQueue })).toBeGreaterThan(
      calls.length,
    );

    // Latency: one histogram per endpoint and result, buckets from 5 ms to the pay's 65 s ceiling.
    for (const endpoint of ['pay', 'query', 'cancel', 'revoke']) {
      const count = total(after, 'upay_gateway_latency_ms_count', { endpoint });
      expect([endpoint, count]).toEqual([endpoint, calls.filter((c) => c.operation === endpoint).length]);
      expect(total(after, 'upay_gateway_latency_ms_bucket', { endpoint, le: '+Inf' })).toBe(count);
      expect(total(after, 'upay_gateway_latency_ms_sum', { endpoint })).toBeGreaterThanOrEqual(0);
    }
    const les = after.filter((s) => s.name === 'upay_gateway_latency_ms_bucket').map((s) => s.labels.le);
    expect([...new Set(les)]).toEqual(expect.arrayContaining(['5', '1000', '35000', '65000', '+Inf']));

    // Bounded labels: no payment's ids, as label names or values, on any payment metric.
    const ids = new Set(statuses.flatMap((s) => [s.clientSn, s.sn, s.terminalSn].filter(Boolean)));
    for (const s of after.filter((x) => x.name.startsWith('upay_'))) {
      expect(Object.keys(s.labels).filter((k) => NAMES_OF_PAYMENT_IDS.test(k))).toEqual([]);
      expect(Object.values(s.labels).filter((v) => ids.has(v) || paymentIdLike(v))).toEqual([]);
    }
  }, 90_000);

  it('writes one JSON object per stdout line, with workflowId, clientSn and sn, and never a key', () => {
    const lines = worker.stdout().split('\n').filter(Boolean);
    const entries = lines.map((line) => {
      const parsed: unknown = JSON.parse(line);
      expect(parsed).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String) }));
      return parsed as Record<string, unknown>;
    });
    expect(entries.every((e) => typeof e.message === 'string' && !Number.isNaN(Date.parse(e.time as string)))).toBe(
      true,
    );
    for (const status of finished.values()) {
      const workflowId = paymentWorkflowId(status.terminalSn, status.clientSn);
      const mine = entries.filter((e) => e.workflowId === workflowId);
      const gatewayCalls = mine.filter((e) => e.message === 'gateway call');
      expect(gatewayCalls.length).toBe(status.calls.length);
      expect(gatewayCalls.every((e) => e.clientSn === status.clientSn && e.sn === status.sn)).toBe(true);
      expect(mine.find((e) => e.message === 'payment outcome')).toMatchObject({
        clientSn: status.clientSn,
        sn: status.sn,
        outcome: expect.any(String),
      });
    }
    const revoked = [...finished.values()].find((s) => s.state === 'REVOKED')!;
    expect(entries.find((e) => e.message === 'revoke finished' && e.clientSn === revoked.clientSn)).toMatchObject({
      result: 'REVOKED',
      sn: revoked.sn,
    });
    const everything = worker.stdout() + worker.stderr();
    expect(everything).not.toContain(TERMINAL_KEY);
    expect(rotatedKey).not.toBe('');
    expect(everything).not.toContain(rotatedKey);
    expect(everything.replace(/\d+@[\w.-]+/g, 'pid@host').match(/\b[0-9a-f]{32}\b/g)).toBeNull();
    expect(everything).not.toMatch(/authorization|taskToken/i);
    // Nothing bypasses the JSON logger (Node's own process warnings aside).
    const stderrLines = worker
      .stderr()
      .split('\n')
      .filter((l) => l && !/^\(node:\d+\) |^\(Use `node --trace/.test(l));
    expect(stderrLines).toEqual([]);
  });

  it('turns /readyz to 503 while draining after SIGTERM, finishes the call in flight, and exits 0', async () => {
    const request = newPayment();
    sim.setScenario(request.clientSn, { pay: { holdMs: 3_000 } });
    started.push(request);
    // Started without waiting for an outcome: the worker that would finish the saga is about to leave.
    await client.workflow.start('paymentSaga', {
      taskQueue,
      workflowId: paymentWorkflowId(request.terminalSn, request.clientSn),
      args: [request],
    });
    for (let i = 0; i < 100 && !ledgerOrder(sim, request.clientSn); i++) await new Promise((r) => setTimeout(r, 50));
    expect(ledgerOrder(sim, request.clientSn)?.order_status).toBe('CREATED'); // the pay is held at the gateway

    worker.child.kill('SIGTERM');
    let ready = await get(`${healthUrl}/readyz`);
    for (let i = 0; i < 50 && ready.status !== 503; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await get(`${healthUrl}/readyz`);
    }
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'not ready' });
    expect((await get(`${healthUrl}/healthz`)).status).toBe(200); // alive, just not taking work
    expect(ledgerOrder(sim, request.clientSn)?.order_status).toBe('CREATED'); // still draining

    expect(await worker.exited).toBe(0);
    // The held pay was answered and its result recorded before the process left.
    expect(ledgerOrder(sim, request.clientSn)?.order_status).toBe('PAID');
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    const lines = worker
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const drainAt = lines.findIndex((l) => l.message === 'Worker state changed' && l.state === 'DRAINING');
    const payAt = lines.findIndex((l) => l.message === 'gateway call' && l.workflowId === workflowId);
    expect(drainAt).toBeGreaterThan(0);
    expect(payAt).toBeGreaterThan(drainAt);
    expect(lines[payAt]).toMatchObject({ operation: 'pay', kind: 'success', clientSn: request.clientSn });
  }, 30_000);
});

/** A label value that looks like a client_sn of this test (T…) or a gateway sn (16 digits). */
function paymentIdLike(value: string): boolean {
  return /^\d{16}$/.test(value) || /^T[0-9a-z]{8,}$/.test(value);
}
