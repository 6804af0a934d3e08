/** The floor's worker: the same settings as the payment worker (worker/create-worker.ts, worker/main.ts). */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../worker/tuning';

async function main(): Promise<void> {
  // The connection as the payment worker reads it: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (or a profile).
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-floor',
    workflowsPath: require.resolve('./workflows'),
    activities,
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
  });
  console.log('floor worker: polling');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
