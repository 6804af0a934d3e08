import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

/** Temporal's floor on this machine: the smallest workflow there is, one no-op activity. */
export async function floorWorkflow(): Promise<void> {
  await noop();
}
