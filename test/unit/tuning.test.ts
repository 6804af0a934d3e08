import { ConfigError } from '../../worker/config';
import { loadWorkerTuning } from '../../worker/tuning';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadWorkerTuning(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('loadWorkerTuning', () => {
  it('keeps every SDK default when nothing is set', () => {
    expect(loadWorkerTuning({})).toEqual({});
  });

  it('maps each variable to its worker option', () => {
    expect(
      loadWorkerTuning({
        WORKER_MAX_CACHED_WORKFLOWS: '500',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
        WORKER_MAX_ACTIVITIES_PER_SECOND: '12.5',
        TASK_QUEUE_MAX_ACTIVITIES_PER_SECOND: '40',
      }),
    ).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentActivityTaskExecutions: 50,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxActivitiesPerSecond: 12.5,
      maxTaskQueueActivitiesPerSecond: 40,
    });
  });

  it('allows a cache size of 0 (no sticky cache)', () => {
    expect(loadWorkerTuning({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toEqual({ maxCachedWorkflows: 0 });
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({
        WORKER_MAX_CACHED_WORKFLOWS: 'lots',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '0',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2.5',
        WORKER_MAX_ACTIVITIES_PER_SECOND: '0',
        TASK_QUEUE_MAX_ACTIVITIES_PER_SECOND: '-3',
      }),
    ).toEqual([
      'WORKER_MAX_CACHED_WORKFLOWS must be an integer ≥ 0, got lots',
      'WORKER_MAX_CONCURRENT_ACTIVITIES must be an integer ≥ 1, got 0',
      'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS must be an integer ≥ 2, got 2.5',
      'WORKER_MAX_ACTIVITIES_PER_SECOND must be a positive number, got 0',
      'TASK_QUEUE_MAX_ACTIVITIES_PER_SECOND must be a positive number, got -3',
    ]);
  });
});
