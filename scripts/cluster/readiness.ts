import { Connection } from '@temporalio/client';
import { takenPorts } from './ports';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const GRPC_NOT_FOUND = 5;

/** What the cluster's frontend answers right now. */
export interface Readiness {
  frontend: boolean;
  namespace: boolean;
  /** History answered through the frontend (a lookup of a workflow that does not exist said NOT_FOUND). */
  history: boolean;
  /** Matching answered through the frontend (a task queue's description). */
  matching: boolean;
}

/** One probe: the frontend's system info, the namespace, and a history lookup. Never throws. */
export async function probe(address: string, namespace: string): Promise<Readiness> {
  const result: Readiness = { frontend: false, namespace: false, history: false, matching: false };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    const service = connection.workflowService;
    await connection.withDeadline(Date.now() + 5_000, () => service.getSystemInfo({}));
    result.frontend = true;
    await connection.withDeadline(Date.now() + 5_000, () => service.describeNamespace({ namespace }));
    result.namespace = true;
    try {
      await connection.withDeadline(Date.now() + 10_000, () =>
        service.describeWorkflowExecution({ namespace, execution: { workflowId: `cluster-probe-${Date.now()}` } }),
      );
    } catch (err) {
      if ((err as { code?: number }).code === GRPC_NOT_FOUND) result.history = true;
    }
    try {
      await connection.withDeadline(Date.now() + 10_000, () =>
        service.describeTaskQueue({ namespace, taskQueue: { name: 'cluster-probe' } }),
      );
      result.matching = true;
    } catch {
      // matching not answering
    }
  } catch {
    // not (yet) answering
  } finally {
    await connection?.close().catch(() => undefined);
  }
  return result;
}

interface WaitOptions {
  timeoutMs: number;
  /** Names a part that exited meanwhile: then the wait fails at once, with that message. */
  died?: () => string | undefined;
}

/** Asks `done()` every `everyMs` until it holds; fails with `late()` after `timeoutMs`. */
async function pollUntil(done: () => Promise<boolean>, late: () => string, everyMs: number, opts: WaitOptions) {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const dead = opts.died?.();
    if (dead) throw new Error(dead);
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(late());
    await sleep(everyMs);
  }
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** Waits until `ready(readiness)` holds, probing every 500 ms. */
export async function waitUntil(
  address: string,
  namespace: string,
  what: string,
  ready: (r: Readiness) => boolean,
  opts: WaitOptions,
): Promise<void> {
  let now: Readiness | undefined;
  await pollUntil(
    async () => ready((now = await probe(address, namespace))),
    () => `${what}: not ready within ${seconds(opts.timeoutMs)} s (${JSON.stringify(now)})`,
    500,
    opts,
  );
}

/** Waits until `port` on 127.0.0.1 listens (a service's own gRPC port). */
export async function waitListening(what: string, port: number, opts: WaitOptions): Promise<void> {
  await pollUntil(
    async () => (await takenPorts([[what, port]])).length > 0,
    () => `the Temporal ${what}: port ${port} not listening within ${seconds(opts.timeoutMs)} s`,
    250,
    opts,
  );
}
