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
    return new Promise((resolve) => {
      const onMessage = (message: { memory?: WorkerMemory }) => {
        if (!message.memory) return;
        this.child.off('message', onMessage);
        resolve(message.memory);
      };
      this.child.on('message', onMessage);
      this.child.send('memory');
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
