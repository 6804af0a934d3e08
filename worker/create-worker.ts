import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from '../activities/config';
import { dataConverterFromEnv } from '../codec/encryption-codec';
import { GatewayClient } from '../activities/gateway/client';
import { createGatewayDispatcher } from '../activities/gateway/http';
import type { ReadTimeouts } from '../activities/gateway/timeouts';
import { createActivities } from '../activities/payment-activities';
import type { GatewayOperation } from '../workflows/types';

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  config: WorkerConfig;
  /** A pre-built bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Shorter HTTP read timeouts (tests of hanging gateways); production uses the defaults. */
  gatewayTimeouts?: Partial<Record<GatewayOperation, ReadTimeouts>>;
  /** Payload encryption (codec/); the client must use the same. Default: from PAYLOAD_ENCRYPTION_KEY. */
  dataConverter?: WorkerOptions['dataConverter'];
}

/** The payment worker: the saga workflow plus gateway activities for the configured terminals. */
export async function createPaymentWorker({
  connection,
  namespace,
  config,
  workflowBundle,
  gatewayTimeouts,
  dataConverter = dataConverterFromEnv(),
}: PaymentWorkerOptions): Promise<Worker> {
  const keys = new Map(config.terminals.map((t) => [t.terminalSn, t.terminalKey]));
  const gateway = new GatewayClient({
    apiDomain: config.apiDomain,
    dispatcher: createGatewayDispatcher(config.apiDomain),
    terminalKey: (sn) => keys.get(sn),
    ...(gatewayTimeouts ? { timeouts: gatewayTimeouts } : {}),
  });
  return Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ gateway }),
    dataConverter,
  });
}
