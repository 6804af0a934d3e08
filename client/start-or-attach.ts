import type { WithStartWorkflowOperation, WorkflowClient } from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { foundClosed } from './errors';

function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

/**
 * Starts the workflow `start` names, or attaches to the one running under its ID (the start's conflict
 * policy: USE_EXISTING), through the outcome update `outcome`, and answers with what that update returns
 * if it does within `waitMs`, else with `status()`. A workflow that has closed (closed when asked, or
 * closing while this start attached: `foundClosed`) answers with its final `status()`, so a second start
 * of a payment or refund never fails on a race with its close.
 */
export async function startOrAttach<S, W extends Workflow>(
  workflow: Pick<WorkflowClient, 'startUpdateWithStart'>,
  outcome: UpdateDefinition<S, []>,
  start: WithStartWorkflowOperation<W>,
  waitMs: number,
  status: () => Promise<S>,
): Promise<S> {
  try {
    const update = await workflow.startUpdateWithStart(outcome, {
      waitForStage: 'ACCEPTED',
      startWorkflowOperation: start,
    });
    const answer = await Promise.race([update.result(), delay(waitMs)]);
    return answer === 'timeout' ? await status() : answer;
  } catch (err) {
    if (!foundClosed(err)) throw err;
    return status(); // finished earlier, or just now: report what it ended as
  }
}
