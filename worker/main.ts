/**
 * `npm run worker`: runs the payment worker until SIGINT/SIGTERM, then drains and exits.
 * Temporal connection from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TLS, or a TOML profile); gateway and terminals from SQB_* (worker/config.ts); tuning from
 * WORKER_* (worker/tuning.ts); health, metrics and log format from WORKER_HEALTH_PORT,
 * WORKER_METRICS_ADDRESS and WORKER_LOG_FORMAT (worker/ops-config.ts). With SQB_KEY_STORE_FILE, every
 * terminal in the store gets a daily check-in schedule and terminals whose key is not from today
 * check in at once.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type Logger, type Worker } from '@temporalio/worker';
import { KeyStoreError } from '../activities/keys/file-key-store';
import { ConfigError, loadWorkerConfig } from './config';
import { createPaymentWorker } from './create-worker';
import { HealthPortError, startHealthServer } from './health-server';
import { loadWorkerOps, type LogFormat } from './ops-config';
import { installWorkerRuntime, writeJsonLogNow } from './runtime';
import { loadWorkerTuning } from './tuning';

/** The format of the last words, until the configuration is read: what WORKER_LOG_FORMAT asks for, else JSON. */
let logFormat: LogFormat = process.env.WORKER_LOG_FORMAT === 'text' ? 'text' : 'json';

/** Every configuration problem of every loader at once, as one ConfigError. */
function loadConfiguration() {
  const problems: string[] = [];
  const load = <T>(loader: () => T): T | undefined => {
    try {
      return loader();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const ops = load(() => loadWorkerOps());
  const config = load(() => loadWorkerConfig());
  const tuning = load(() => loadWorkerTuning());
  if (!ops || !config || !tuning) throw new ConfigError(problems);
  return { ops, config, tuning };
}

async function main(): Promise<void> {
  const { ops, config, tuning } = loadConfiguration();
  logFormat = ops.logFormat;
  // Before any connection: the runtime carries the logger and the metrics exporter for the process.
  const logger: Logger = installWorkerRuntime(ops).logger;
  /** The worker's own lines: through the runtime's logger as JSON, or on the console as before in text mode. */
  const say = (level: 'info' | 'warn', message: string, meta: Record<string, unknown> = {}) => {
    if (logFormat === 'json') logger[level](message, meta);
    else (level === 'warn' ? console.warn : console.log)(message);
  };

  // Up from the start, so an orchestrator sees the process alive while it connects and bundles.
  const started: { worker?: Worker } = {};
  const health = await startHealthServer({
    port: ops.healthPort,
    isReady: () => started.worker?.getState() === 'RUNNING',
    describe: () => ({ state: started.worker?.getState() ?? 'STARTING' }),
  }).catch((err: unknown) => {
    throw err instanceof HealthPortError ? new ConfigError([err.message]) : err;
  });

  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  if (!config.keyStoreFile) {
    say(
      'warn',
      'payment worker: no SQB_KEY_STORE_FILE, so no daily check-in: a real gateway stops accepting a key within a day',
    );
  }
  const { worker, terminalSns, dailyCheckin } = await createPaymentWorker({
    connection,
    namespace,
    config,
    tuning,
    checkin: { log: (message) => say('warn', message) },
  });
  started.worker = worker;
  say(
    'info',
    `payment worker: task queue ${config.taskQueue}, namespace ${namespace}, ` +
      `gateway ${config.apiDomain}, terminals ${terminalSns.join(', ')}` +
      (dailyCheckin ? ', daily check-in on' : '') +
      (Object.keys(tuning).length > 0 ? `, tuning ${JSON.stringify(tuning)}` : '') +
      `, health :${health.port}/readyz` +
      `, metrics ${ops.metricsAddress ? `${ops.metricsAddress}/metrics` : 'off'}`,
    {
      taskQueue: config.taskQueue,
      namespace,
      gateway: config.apiDomain,
      terminals: terminalSns,
      dailyCheckin,
      tuning,
      healthPort: health.port,
      metricsAddress: ops.metricsAddress ?? 'off',
    },
  );
  try {
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: run() resolves when drained.
    // /readyz answers 503 from the moment the worker leaves RUNNING; /healthz stays up until the end.
    await worker.run();
  } finally {
    await connection.close();
    await health.close();
  }
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof KeyStoreError;
  if (logFormat === 'json') {
    writeJsonLogNow(
      'ERROR',
      expected ? err.message : 'payment worker failed',
      expected ? (err instanceof ConfigError ? { problems: err.problems } : {}) : { error: err },
    );
  } else {
    console.error(expected ? err.message : err);
  }
  process.exit(expected ? 2 : 1);
});
