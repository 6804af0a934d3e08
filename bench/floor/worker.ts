/** The floor's worker: the same settings as the payment worker (worker/create-worker.ts). */
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../worker/tuning';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  const worker = await Worker.create({
    connection,
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
