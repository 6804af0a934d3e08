import { sleep } from '@temporalio/workflow';
import { cancelDelayMs } from './timing';
import type { SagaState } from './saga-state';

/**
 * Runs `attempt` on the saga's deterministic schedule (timing.cancelDelaysMs: no jitter, identical
 * on replay) until it returns a decision other than RETRY, or the deadline would pass before the
 * next attempt. The first attempt always runs, whatever the deadline: reversing is the safe act.
 * Returns undefined when the deadline ended the schedule.
 */
export async function onReversalSchedule<D extends { next: string }>(
  saga: SagaState,
  deadline: number,
  attempt: (n: number) => Promise<D>,
): Promise<D | undefined> {
  for (let n = 1; ; n++) {
    const delay = cancelDelayMs(saga.status.timing, n);
    if (n > 1 && Date.now() + delay >= deadline) return undefined;
    if (delay > 0) await sleep(delay);
    const decision = await attempt(n);
    if (decision.next !== 'RETRY') return decision;
  }
}
