import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

type History = temporal.api.history.v1.IHistory;

/**
 * One replay worker for a whole fuzz run: histories go in as their schedules finish and are replayed
 * one at a time with the workflow code the worker runs. (A replay worker per schedule loads the
 * bundle and its source map each time, and after some hundreds the source-map wasm runs out of memory
 * and takes the process down.)
 */
export class Replayer {
  private readonly waiting: { workflowId: string; history: History; done: (error?: string) => void }[] = [];
  private readonly replaying: ((error?: string) => void)[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private broken: string | undefined;
  private readonly running: Promise<void>;

  constructor(workflowBundle: WorkflowBundleWithSourceMap) {
    this.running = this.run(workflowBundle).catch((err: unknown) => {
      this.broken = `the replay worker failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const done of [...this.replaying.splice(0), ...this.waiting.splice(0).map((w) => w.done)]) done(this.broken);
    });
  }

  /** Replays one history: undefined when it replays, else why not. */
  replay(workflowId: string, history: History): Promise<string | undefined> {
    if (this.broken) return Promise.resolve(this.broken);
    return new Promise((done) => {
      this.waiting.push({ workflowId, history, done });
      this.wake?.();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async run(workflowBundle: WorkflowBundleWithSourceMap): Promise<void> {
    for await (const result of Worker.runReplayHistories({ workflowBundle }, this.histories())) {
      this.replaying.shift()?.(result.error?.message);
    }
  }

  private async *histories(): AsyncGenerator<{ workflowId: string; history: History }> {
    for (;;) {
      while (this.waiting.length === 0) {
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      const next = this.waiting.shift()!;
      this.replaying.push(next.done);
      yield { workflowId: next.workflowId, history: next.history };
    }
  }
}
