/**
 * `npm run bench [-- --quick]`: Temporal's floor and the saga's paths side by side in one run, on one
 * machine: dev server on SQLite (WAL), simulator without latency, the real worker as its own process.
 * Writes bench/results/latest.json and latest.md. Absolute numbers are machine noise; ratios are not.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../client/payments-client';
import { exportWithCli } from '../scripts/histories/export';
import { freePort } from '../scripts/stack/ports';
import { startTemporalProcess } from '../scripts/stack/temporal-process';
import { devServerArgs } from '../scripts/toolchain/dev-server';
import { TEMPORAL_CLI, resolveBinary } from '../scripts/toolchain/temporal-binaries';
import { startSimulator } from '../simulator';
import { paymentWorkflowId, type PaymentRequest, type PaymentStatus, type TimingOverrides } from '../workflows/types';
import { historyCost, measure, type Measured } from './measure';
import { BenchWorker, type WorkerMemory } from './worker-process';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/tuning';

const QUICK = process.argv.includes('--quick');
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SIZE = QUICK ? { n: 200, scale: 1_000, revokes: 50 } : { n: 1_000, scale: 10_000, revokes: 200 };
if (argValue('--scale')) SIZE.scale = Number(argValue('--scale'));
/**
 * `--caches default,2310,500`: the sticky-cache sizes the scale step compares. `default` sets nothing
 * (worker/tuning.ts DEFAULT_MAX_CACHED_WORKFLOWS); 2310 is what the SDK itself picks on a 4 GiB heap.
 */
const CACHES = (argValue('--caches') ?? 'default,2310,500').split(',');
/** `--heap-snapshot DIR`: also write a worker heap snapshot per cache size (for profiling). */
const HEAP_SNAPSHOT_DIR = argValue('--heap-snapshot');
const CONCURRENCY = 20;

interface ScalePoint {
  cache: string;
  load_per_s: number;
  memory: WorkerMemory;
  /** Revokes at the same concurrency as the paths above. */
  revoke: Measured;
  /** Revokes at OPERATOR_CONCURRENCY: a few operators at once, the way revokes really arrive. */
  revoke_operators: Measured;
}

/** A revoke is an operator's manual action (手动撤单): a handful at a time, not CONCURRENCY. */
const OPERATOR_CONCURRENCY = 4;
const TERMINAL = { terminalSn: '100000000000000088', terminalKey: 'beefbeefbeefbeefbeefbeefbeefbeef' };
const UNKNOWN_FAST: TimingOverrides = { confirmIntervalMs: 200, confirmWindowMs: 300, cancelDelaysMs: [1_000] };

const sizeMb = (file: string) => {
  const size = (f: string) => (statSync(f, { throwIfNoEntry: false })?.size ?? 0) / 1024 / 1024;
  return Math.round((size(file) + size(`${file}-wal`)) * 10) / 10;
};

async function main(): Promise<void> {
  const cli = resolveBinary(TEMPORAL_CLI).path;
  if (!cli) throw new Error('no Temporal CLI: run `npm run toolchain`');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const server = await startTemporalProcess(
    cli,
    [...devServerArgs({ ip: '127.0.0.1', port, uiPort: await freePort(), dbFile }), '--headless'],
    address,
  );
  const sim = await startSimulator({ port: 0, terminals: [TERMINAL] });
  const env = {
    TEMPORAL_ADDRESS: address,
    SQB_API_DOMAIN: sim.url,
    SQB_TERMINAL_SN: TERMINAL.terminalSn,
    SQB_TERMINAL_KEY: TERMINAL.terminalKey,
  };
  const startPaymentWorker = (tuning: NodeJS.ProcessEnv = {}) =>
    BenchWorker.start('worker/main.ts', { ...env, ...tuning, TEMPORAL_TASK_QUEUE: 'bench-pay' }, 'payment worker:');
  let worker = await startPaymentWorker();
  const floorWorker = await BenchWorker.start(
    'bench/floor/worker.ts',
    { ...env, TEMPORAL_TASK_QUEUE: 'bench-floor' },
    'floor worker: polling',
  );
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const payments = new PaymentsClient(client, 'bench-pay');
  const tag = Date.now().toString(36);
  let seq = 0;
  const request = (dynamicId = '130818341921441147', timing?: TimingOverrides): PaymentRequest => ({
    terminalSn: TERMINAL.terminalSn,
    clientSn: `B${tag}${(seq++).toString(36)}`,
    amountFen: 100,
    dynamicId,
    subject: 'bench',
    operator: 'bench',
    ...(timing ? { timing } : {}),
  });
  const expectState = (s: PaymentStatus, state: string) => {
    if (s.state !== state) throw new Error(`expected ${state}, got ${s.state}`);
  };
  const untilState = (r: PaymentRequest, state: string) =>
    payments.waitFor(r, (s) => s.state === state, { timeoutMs: 120_000, intervalMs: 10 });
  try {
    console.log(`bench: ${QUICK ? 'quick' : 'full'} run, ${SIZE.n} per path at concurrency ${CONCURRENCY}`);
    // Warm both workers (bundles, caches, connections) before measuring.
    await measure(20, 5, async (i) => {
      await client.workflow.execute('floorWorkflow', { taskQueue: 'bench-floor', workflowId: `warm-${tag}-${i}` });
      expectState((await payments.pay(request())).status, 'PAID');
    });
    const floor = await measure(SIZE.n, CONCURRENCY, (i) =>
      client.workflow.execute('floorWorkflow', { taskQueue: 'bench-floor', workflowId: `floor-${tag}-${i}` }),
    );
    console.log('floor', floor);
    const happy = await measure(SIZE.n, CONCURRENCY, async () =>
      expectState((await payments.pay(request())).status, 'PAID'),
    );
    console.log('happy', happy);
    const cancel = await measure(Math.ceil(SIZE.n / 5), CONCURRENCY, async () =>
      expectState((await payments.pay(request('sim-500', UNKNOWN_FAST))).status, 'CANCELED'),
    );
    console.log('cancel', cancel);
    const paid = await Promise.all(
      Array.from({ length: Math.ceil(SIZE.n / 5) }, async () => {
        const r = request();
        await payments.pay(r);
        return r;
      }),
    );
    const revoke = await measure(paid.length, CONCURRENCY, async (i) => {
      await payments.revokeBySignal(paid[i]!, { operator: 'bench', reason: 'bench' });
      await untilState(paid[i]!, 'REVOKED');
    });
    console.log('revoke', revoke);

    // Whole histories, each path run to its close with a 1.5 s revoke window.
    const closing = { revokeWindowAfterMs: 1_500 };
    const eventsOf = async (workflowId: string) =>
      ((await exportWithCli(cli, address, workflowId)) as { events: { eventType: string }[] }).events;
    const costOf = async (r: PaymentRequest, act?: () => Promise<void>) => {
      await payments.pay(r);
      if (act) await act();
      const handle = client.workflow.getHandle(paymentWorkflowId(r.terminalSn, r.clientSn));
      await handle.result();
      return historyCost(await eventsOf(handle.workflowId));
    };
    const floorHandle = await client.workflow.start('floorWorkflow', {
      taskQueue: 'bench-floor',
      workflowId: `floor-cost-${tag}`,
    });
    await floorHandle.result();
    const revokeReq = request(undefined, closing);
    const costs = {
      floor: historyCost(await eventsOf(floorHandle.workflowId)),
      happy: await costOf(request(undefined, closing)),
      cancel: await costOf(request('sim-500', { ...UNKNOWN_FAST, ...closing })),
      revoke: await costOf(revokeReq, () => payments.revokeBySignal(revokeReq, { operator: 'bench', reason: 'bench' })),
    };
    console.log('costs', costs);

    // Scale: many PAID payments held open for their revoke window, then, per sticky-cache size, a fresh
    // worker that has every open payment loaded (one status query each), its memory, and revokes at that load.
    const open: PaymentRequest[] = [];
    const opening = await measure(SIZE.scale, 50, async () => {
      const r = request();
      expectState((await payments.pay(r)).status, 'PAID');
      open.push(r);
    });
    console.log('opened', opening);
    await floorWorker.stop();
    let revoked = 0;
    const sweep: ScalePoint[] = [];
    for (const cache of CACHES) {
      await worker.stop();
      worker = await startPaymentWorker({
        ...(cache === 'default' ? {} : { WORKER_MAX_CACHED_WORKFLOWS: cache }),
        ...(HEAP_SNAPSHOT_DIR ? { BENCH_HEAP_SNAPSHOT_DIR: HEAP_SNAPSHOT_DIR } : {}),
      });
      const loading = await measure(open.length, 50, async (i) => void (await payments.status(open[i]!)));
      const memory = await worker.memory();
      // Each revoke takes a payment no earlier step revoked, spread over the whole open set. The update
      // answers when the gateway has decided: exact revoke-to-REVOKED, without polling the status.
      const revokesAt = (concurrency: number) => {
        const targets = Array.from({ length: SIZE.revokes }, () => open[(revoked++ * 7) % open.length]!);
        return measure(targets.length, concurrency, async (i) => {
          const result = await payments.revoke(targets[i]!, { operator: 'bench', reason: 'bench at load' });
          if (result.state !== 'REVOKED') throw new Error(`revoke ended ${result.state}`);
        });
      };
      const revoke_operators = await revokesAt(OPERATOR_CONCURRENCY);
      const revoke = await revokesAt(CONCURRENCY);
      const point = { cache, load_per_s: loading.throughput_per_s, memory, revoke, revoke_operators };
      console.log('scale', JSON.stringify(point));
      sweep.push(point);
    }
    const headline = sweep[0]!;
    const scale = {
      open_payments: SIZE.scale,
      open_rate_per_s: opening.throughput_per_s,
      worker_rss_mb: headline.memory.rss_mb,
      db_mb: sizeMb(dbFile),
      revoke_p50_ms: headline.revoke.p50_ms,
      revoke_p99_ms: headline.revoke.p99_ms,
      revoke_operators_p99_ms: headline.revoke_operators.p99_ms,
      sweep,
    };

    const result = {
      run: QUICK ? 'quick' : 'full',
      at: new Date().toISOString(),
      floor,
      happy,
      cancel,
      revoke,
      ratios: {
        happy_throughput_vs_floor: Math.round((happy.throughput_per_s / floor.throughput_per_s) * 100) / 100,
        happy_p50_vs_floor: Math.round((happy.p50_ms / floor.p50_ms) * 100) / 100,
      },
      events: Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, v.events])),
      actions: Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, v.actions])),
      scale,
      worker:
        `paths: the worker's defaults (maxCachedWorkflows ${DEFAULT_MAX_CACHED_WORKFLOWS}, reuseV8Context on, ` +
        'the rest SDK defaults); scale.sweep: WORKER_MAX_CACHED_WORKFLOWS per point, scale.* headline = the first point',
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
    };
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(__dirname, 'results', 'latest.md'), markdown(result));
    console.log(markdown(result));
  } finally {
    await connection.close();
    await worker.stop();
    await floorWorker.stop();
    await sim.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function markdown(r: {
  run: string;
  floor: Measured;
  happy: Measured;
  cancel: Measured;
  revoke: Measured;
  ratios: Record<string, number>;
  events: Record<string, number>;
  actions: Record<string, number>;
  scale: {
    open_payments: number;
    worker_rss_mb: number;
    db_mb: number;
    revoke_p50_ms: number;
    revoke_p99_ms: number;
    revoke_operators_p99_ms: number;
    sweep: ScalePoint[];
  };
}): string {
  const row = (name: string, m: Measured) =>
    `| ${name} | ${m.n} | ${m.throughput_per_s} | ${m.p50_ms} | ${m.p95_ms} | ${m.p99_ms} | ${r.events[name] ?? '-'} | ${r.actions[name] ?? '-'} |`;
  return [
    `| path (${r.run} run) | n | per s | p50 ms | p95 ms | p99 ms | history events | actions |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('floor', r.floor),
    row('happy', r.happy),
    row('cancel', r.cancel),
    row('revoke', r.revoke),
    '',
    `Happy vs floor: throughput ×${r.ratios.happy_throughput_vs_floor}, p50 ×${r.ratios.happy_p50_vs_floor}. ` +
      `Scale: ${r.scale.open_payments} open payments, worker RSS ${r.scale.worker_rss_mb} MB, database ${r.scale.db_mb} MB, ` +
      `revoke p50 ${r.scale.revoke_p50_ms} ms / p99 ${r.scale.revoke_p99_ms} ms at that load ` +
      `(concurrency ${CONCURRENCY}; p99 ${r.scale.revoke_operators_p99_ms} ms at ${OPERATOR_CONCURRENCY}).`,
    '',
    `| sticky cache (${r.scale.open_payments} open, all loaded) | worker RSS MB | V8 heap used MB | native MB | revoke p50 / p99 ms (×${CONCURRENCY}) | revoke p50 / p99 ms (×${OPERATOR_CONCURRENCY}) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...r.scale.sweep.map(
      (p) =>
        `| ${p.cache === 'default' ? `default (${DEFAULT_MAX_CACHED_WORKFLOWS})` : p.cache} | ${p.memory.rss_mb} | ${p.memory.heap_used_mb} | ${p.memory.native_mb} | ${p.revoke.p50_ms} / ${p.revoke.p99_ms} | ${p.revoke_operators.p50_ms} / ${p.revoke_operators.p99_ms} |`,
    ),
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(`npm run bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
