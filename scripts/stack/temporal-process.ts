import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';

export interface TemporalProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the Temporal CLI dev server as a child and waits until it answers gRPC (up to 60 s). */
export async function startTemporalProcess(cliPath: string, args: string[], address: string): Promise<TemporalProcess> {
  const child = spawn(cliPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  // If this process dies without stop() (a crash), take the server with it rather than orphan it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      process.removeListener('exit', killOnExit);
      exited = code;
      resolve();
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the Temporal dev server exited during start-up (code ${exited})`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    child,
    async stop() {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
    },
  };
}
