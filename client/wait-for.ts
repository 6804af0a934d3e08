import { WorkflowNotFoundError } from '@temporalio/client';

/**
 * Polls `read` (a workflow's status query) until `done` holds; a workflow not started yet counts as not
 * done. Throws after `timeoutMs` naming `label` and the last state seen.
 */
export async function pollUntil<S extends { state: string }>(
  read: () => Promise<S>,
  done: (status: S) => boolean,
  label: string,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<S> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await read().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    if (status && done(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`${label}: still ${status?.state ?? 'not started'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
