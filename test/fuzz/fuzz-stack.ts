import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import { dataConverterFromEnv } from '../../codec/encryption-codec';
import { startSimulator } from '../../simulator';
import { createPaymentWorker } from '../../worker/create-worker';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startEmbeddedStack } from '../../scripts/stack/embedded-stack';
import { freePort } from '../../scripts/stack/ports';
import { TEST_GATEWAY_TIMEOUTS } from '../helpers/gateway-timeouts';
import { FUZZ_TERMINAL } from './fuzz-env';
import type { FuzzEnv } from './run-schedule';

export interface FuzzStackOptions {
  /**
   * `host:port` of a Temporal server that is already running (a cluster): the fuzz brings only its
   * simulator and worker. Absent: a dev server of its own, on a SQLite file in a temporary directory.
   */
  address?: string;
  /** Default `default`. */
  namespace?: string;
  /**
   * Default `fuzz` on its own server; on an existing server `fuzz-<time>`, a queue no other worker
   * polls (a worker of another configuration would send the fuzz's payments to another gateway).
   */
  taskQueue?: string;
  /**
   * On an existing server, the bundle the worker runs (the replayer's too); absent, the worker bundles
   * workflows/ itself, as the embedded stack's always does.
   */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** A Temporal server (its own or an existing one), the simulator and a worker: everything `runSchedules` needs. */
export interface FuzzStack {
  address: string;
  namespace: string;
  taskQueue: string;
  /** The fuzz's client connection (on the same server as the worker). */
  connection: Connection;
  /** What `runSchedules` takes, without the replayer and the dump directory. */
  env: Omit<FuzzEnv, 'replayer' | 'dumpDir'>;
  /** Search attributes this run registered on an existing server's namespace (none on its own server). */
  registered: string[];
  /** Stops the worker, the simulator, and the server when it is the fuzz's own. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts what a fuzz run needs. With `address`, on an existing server: the saga's search attributes are
 * registered on the namespace if missing, and the server must allow update-with-start
 * (`frontend.enableExecuteMultiOperation`, which the dev server gets from scripts/toolchain/dev-server.ts).
 */
export async function startFuzzStack(opts: FuzzStackOptions = {}): Promise<FuzzStack> {
  return opts.address ? onExistingServer(opts, opts.address) : onOwnServer(opts);
}

async function onOwnServer(opts: FuzzStackOptions): Promise<FuzzStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  const taskQueue = opts.taskQueue ?? 'fuzz';
  const stack = await startEmbeddedStack({
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    taskQueue,
    simulator: { port: 0, terminals: [FUZZ_TERMINAL] },
    gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection, dataConverter: dataConverterFromEnv() });
  let stopped = false;
  return {
    address: stack.address,
    namespace: 'default',
    taskQueue,
    connection,
    env: envOf(client, taskQueue, stack.sim!),
    registered: [],
    async stop() {
      if (stopped) return;
      stopped = true;
      await connection.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function onExistingServer(opts: FuzzStackOptions, address: string): Promise<FuzzStack> {
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? `fuzz-${Date.now().toString(36)}`;
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch((err: unknown) => console.error(err));
  };
  try {
    const connection = await Connection.connect({ address });
    stoppers.push(() => connection.close());
    const registered = await registerSearchAttributes(connection, namespace);
    const sim = await startSimulator({ port: 0, host: '127.0.0.1', terminals: [FUZZ_TERMINAL] });
    stoppers.push(() => sim.close());
    const workerConnection = await NativeConnection.connect({ address });
    stoppers.push(() => workerConnection.close());
    const { worker } = await createPaymentWorker({
      connection: workerConnection,
      namespace,
      // The simulator binds a terminal to the device_id of its first check-in (as the embedded stack does).
      config: {
        apiDomain: sim.url,
        terminals: [{ deviceId: `fuzz-${FUZZ_TERMINAL.terminalSn}`, ...FUZZ_TERMINAL }],
        taskQueue,
      },
      gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
    });
    const running = worker.run();
    stoppers.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const client = new Client({ connection, namespace, dataConverter: dataConverterFromEnv() });
    return {
      address,
      namespace,
      taskQueue,
      connection,
      env: envOf(client, taskQueue, sim),
      registered,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function envOf(client: Client, taskQueue: string, sim: FuzzEnv['sim']): FuzzStack['env'] {
  return {
    client,
    payments: new PaymentsClient(client, taskQueue),
    refunds: new RefundsClient(client, taskQueue),
    sim,
    terminalSn: FUZZ_TERMINAL.terminalSn,
  };
}

/** Registers the saga's search attributes that the namespace lacks; returns their names. */
async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(customAttributes ?? {}));
  const missing = PAYMENT_SEARCH_ATTRIBUTES.filter((key) => !have.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  return missing.map((key) => key.name);
}
