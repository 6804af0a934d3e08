/**
 * `npm run worker`: runs the payment worker until SIGINT/SIGTERM, then drains and exits.
 * Temporal connection from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TLS, or a TOML profile); gateway and terminals from SQB_* (activities/config.ts).
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from '../activities/config';
import { createPaymentWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createPaymentWorker({ connection, namespace, config });
  console.log(
    `payment worker: task queue ${config.taskQueue}, namespace ${namespace ?? 'default'}, ` +
      `gateway ${config.apiDomain}, terminals ${config.terminals.map((t) => t.terminalSn).join(', ')}`,
  );
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: run() resolves when drained.
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
