/**
 * `tsx bench/probed-worker.ts <worker script>`: runs a worker script with a memory probe. Asked over
 * the IPC channel ('memory'), it answers with the process's memory split (V8 heap of the main thread
 * vs the rest: the workflow thread's isolate, the Rust core, code) and, with BENCH_HEAP_SNAPSHOT_DIR
 * set, writes a main-thread heap snapshot there. Asked `{ gatewayPay: { n, warm } }`, it times n bare
 * gateway pay calls one at a time from this process (bench/gateway-probe.ts). Not a signal: the SDK's
 * runtime treats SIGUSR2 as shutdown. Bench-only; the production worker has no probe.
 */
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { timeGatewayPay } from './gateway-probe';

// The channel must not keep the process alive once the worker has drained.
process.channel?.unref();
process.on('message', (message: unknown) => {
  const gatewayPay = (message as { gatewayPay?: { n: number; warm: number } } | null)?.gatewayPay;
  if (gatewayPay) {
    timeGatewayPay(gatewayPay.n, gatewayPay.warm).then(
      (measured) => process.send?.({ gatewayPay: measured }),
      (err: unknown) => process.send?.({ gatewayPayError: err instanceof Error ? err.message : String(err) }),
    );
    return;
  }
  if (message !== 'memory') return;
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  const snapshot = dir ? writeHeapSnapshot(path.join(dir, `worker-${process.pid}-${Date.now()}.heapsnapshot`)) : null;
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const m = process.memoryUsage();
  const memory = {
    rss_mb: mb(m.rss),
    heap_used_mb: mb(m.heapUsed),
    heap_total_mb: mb(m.heapTotal),
    external_mb: mb(m.external),
    native_mb: mb(m.rss - m.heapTotal - m.external),
    snapshot,
  };
  process.send?.({ memory });
});

const script = process.argv[2];
if (!script) throw new Error('usage: tsx bench/probed-worker.ts <worker script>');
import(path.resolve(script)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
