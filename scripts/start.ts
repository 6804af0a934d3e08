/**
 * `npm start`: the embedded stack on one machine — a Temporal dev server with the Web UI (SQLite in
 * .data/ so payments survive a restart), the upay gateway simulator (unless SQB_API_DOMAIN points
 * at a real gateway) and the payment worker. Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadWorkerConfig } from '../worker/config';
import { loadTerminals } from '../simulator';
import { TASK_QUEUE } from '../workflows/types';
import { startEmbeddedStack } from './stack/embedded-stack';
import { assertPortFree, portFromEnv } from './stack/ports';
import { DATA_DIR } from './toolchain/paths';

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

  mkdirSync(DATA_DIR, { recursive: true });
  const dbFile = path.join(DATA_DIR, 'temporal.sqlite');
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE;
  const stack = await startEmbeddedStack({
    host: HOST,
    port,
    uiPort,
    dbFile,
    taskQueue,
    checkin: true,
    ...(gatewayConfig
      ? { gateway: gatewayConfig }
      : { simulator: { port: simPort, terminals: loadTerminals().terminals } }),
  });
  const stop = () => void stack.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { address, config, sim } = stack;
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
    ${clientEnv}npm run demo      # five scripted payments, live, with a Web UI link each
  Ctrl-C stops everything.
`);
  await stack.workerStopped; // returns once Ctrl-C has drained the worker
  await stack.stop();
}

main().catch((err: unknown) => {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
