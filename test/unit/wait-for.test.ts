import { WorkflowNotFoundError } from '@temporalio/client';
import { pollUntil } from '../../client/wait-for';

/** `waitFor` of both clients (client/wait-for.ts): not started yet counts as not done; the timeout names the state. */
describe('pollUntil', () => {
  it('reads until done holds, counting a workflow not found yet as not done', async () => {
    const answers = ['missing', 'PAYING', 'CONFIRMING', 'PAID'];
    const read = jest.fn(() => {
      const next = answers.shift();
      return next === 'missing'
        ? Promise.reject(new WorkflowNotFoundError('not found', 'wf', undefined))
        : Promise.resolve({ state: next as string });
    });
    const status = await pollUntil(read, (s) => s.state === 'PAID', 'C-1', { intervalMs: 1 });
    expect(status).toEqual({ state: 'PAID' });
    expect(read).toHaveBeenCalledTimes(4);
  });

  it('throws after timeoutMs with the label and the last state seen', async () => {
    const read = () => Promise.resolve({ state: 'CONFIRMING' });
    await expect(pollUntil(read, () => false, 'C-2', { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      'C-2: still CONFIRMING after 20 ms',
    );
  });

  it('says "not started" when the workflow never appeared', async () => {
    const read = () => Promise.reject(new WorkflowNotFoundError('not found', 'wf', undefined));
    await expect(pollUntil(read, () => true, 'R-1', { timeoutMs: 10, intervalMs: 5 })).rejects.toThrow(
      'R-1: still not started after 10 ms',
    );
  });

  it('passes on any other error', async () => {
    const boom = new Error('unavailable');
    await expect(
      pollUntil(
        () => Promise.reject(boom),
        () => true,
        'C-3',
      ),
    ).rejects.toBe(boom);
  });
});
