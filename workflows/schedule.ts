import { sleep } from '@temporalio/workflow';
import type { Schedule } from './timing';

/** What an attempt returns to ask for the next one on the schedule. */
export const AGAIN = 'AGAIN';

/**
 * The one retry loop of the saga (confirm queries, cancels, revokes): deterministic pauses (no
 * jitter, identical on replay), and one edge rule: attempt n > 1 runs only if it would start no
 * later than `schedule.lastStartAt`. The first attempt always runs: asking or reversing is the safe
 * act. Returns the first answer that is not AGAIN, or undefined when the schedule ran out.
 */
export async function onSchedule<D>(
  schedule: Schedule,
  attempt: (n: number) => Promise<D | typeof AGAIN>,
): Promise<D | undefined> {
  for (let n = 1; ; n++) {
    const delay = schedule.delayBeforeMs(n);
    if (n > 1 && Date.now() + delay > schedule.lastStartAt) return undefined;
    if (delay > 0) await sleep(delay);
    const answer = await attempt(n);
    if (answer !== AGAIN) return answer;
  }
}
