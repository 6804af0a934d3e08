import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');

export interface WorkerMemory {
  rss_mb: number;
  heap_used_mb: number;
  heap_total_mb: number;
  external_mb: number;
  native_mb: number;
  snapshot: string | null;
}

/** A worker script as its own Node process wrapped in the memory probe (bench/probed-worker.ts). */
export class BenchWorker {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    // Only the tail: the ready line is near the start, and a bench run logs many thousands of lines.
    child.stdout!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
  }

  static start(script: string, env: NodeJS.ProcessEnv, ready: string): Promise<BenchWorker> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/probed-worker.ts', script], {
      cwd: REPO,
      env: { ...process.env, WORKER_HEALTH_PORT: '0', WORKER_METRICS_ADDRESS: 'off', ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const worker = new BenchWorker(child);
    return new Promise((resolve, reject) => {
      const onData = () => {
        if (!worker.output.includes(ready)) return;
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve(worker);
      };
      const onExit = (code: number | null) => reject(new Error(`${script} exited (${code}): ${worker.output}`));
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** Asks the probe (bench/probed-worker.ts) for the memory split. */
  memory(): Promise<WorkerMemory> {
    return this.ask('memory', (m: { memory?: WorkerMemory }) => m.memory);
  }

  /** Asks the probe to time `n` bare gateway pay calls (after `warm` untimed), one at a time, from this worker's process: latencies in ms. */
  async gatewayPay(n: number, warm = 0): Promise<number[]> {
    const answer = await this.ask(
      { gatewayPay: { n, warm } },
      (m: { gatewayPay?: number[]; gatewayPayError?: string }) => (m.gatewayPay || m.gatewayPayError ? m : undefined),
    );
    if (!answer.gatewayPay) throw new Error(answer.gatewayPayError);
    return answer.gatewayPay;
  }

  private ask<M, T>(question: string | object, answer: (message: M) => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: M) => {
        const value = answer(message);
        if (value === undefined) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(value);
      };
      const onExit = (code: number | null) => reject(new Error(`worker exited (${code}) before it answered`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(question);
    });
  }

  /** SIGTERM (the SDK drains), then waits for the exit. */
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
