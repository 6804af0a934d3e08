import type { Client } from '@temporalio/client';
import type { RunningSimulator } from '../../simulator';
import { startCheckinNow } from '../../worker/checkin-schedules';
import { RECORDING_TERMINAL } from './paths';

/** The terminal check-in's paths in the corpus: what a deploy must keep replaying besides the saga. */
export const CHECKIN_PATHS = [
  { name: 'checkin-ok', failNext: 0 },
  { name: 'checkin-no-answer-then-ok', failNext: 1 },
] as const;

/**
 * Runs one check-in of the recording terminal (the embedded stack holds its key in memory) and
 * returns its workflow id once it has succeeded; `failNext` first check-ins get no answer.
 */
export async function recordCheckin(
  client: Client,
  sim: RunningSimulator,
  taskQueue: string,
  path: (typeof CHECKIN_PATHS)[number],
): Promise<string> {
  const sn = RECORDING_TERMINAL.terminalSn;
  if (path.failNext > 0) sim.setCheckinFault(sn, path.failNext, 'error');
  const handle = await startCheckinNow(client, sn, { taskQueue, retry: { attempts: 3, intervalMs: 1_000 } });
  await handle.result();
  return handle.workflowId;
}
