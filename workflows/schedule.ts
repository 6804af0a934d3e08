import { condition, sleep } from '@temporalio/workflow';
import type { Schedule } from './timing';

/** What an attempt returns to ask for the next one on the schedule. */
export const AGAIN = 'AGAIN';

/**
 * Something a person asked for that a phase acts on at once instead of waiting out its pause (a
 * cancellation request, a recheck). Acting may end the schedule, or return AGAIN to go on waiting.
 */
export interface Interrupt<D> {
  pending(): boolean;
  act(): Promise<D | typeof AGAIN>;
}

/**
 * The one retry loop of the saga (confirm queries, cancels, revokes): deterministic pauses (no
 * jitter, identical on replay), and one edge rule: attempt n > 1 runs only if it would start no
 * later than `schedule.lastStartAt`. The first attempt always runs: asking or reversing is the safe
 * act. Returns the first answer that is not AGAIN, or undefined when the schedule ran out. With an
 * interrupt, a pause ends early when it is pending; until then the pause is the same one timer.
 */
export async function onSchedule<D>(
  schedule: Schedule,
  attempt: (n: number) => Promise<D | typeof AGAIN>,
  interrupt?: Interrupt<D>,
): Promise<D | undefined> {
  for (let n = 1; ; n++) {
    const delay = schedule.delayBeforeMs(n);
    if (n > 1 && Date.now() + delay > schedule.lastStartAt) return undefined;
    if (interrupt) {
      const acted = await pauseUnless(Date.now() + delay, interrupt);
      if (acted !== AGAIN) return acted;
    } else if (delay > 0) await sleep(delay);
    const answer = await attempt(n);
    if (answer !== AGAIN) return answer;
  }
}

/**
 * Waits until `until`, acting on the interrupt whenever it is pending. With nothing pending this is
 * exactly `sleep(delay)`'s one timer (condition with a timeout starts the same timer), so payments
 * recorded before interrupts existed replay unchanged.
 */
async function pauseUnless<D>(until: number, interrupt: Interrupt<D>): Promise<D | typeof AGAIN> {
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return AGAIN;
    if (!(await condition(() => interrupt.pending(), left))) return AGAIN;
    const acted = await interrupt.act();
    if (acted !== AGAIN) return acted;
  }
}
