import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { createCheckinActivities } from '../activities/checkin-activities';
import { dataConverterFromEnv } from '../codec/encryption-codec';
import { GatewayClient } from '../activities/gateway/client';
import { createGatewayDispatcher } from '../activities/gateway/http';
import { checkinTerminal } from '../activities/gateway/terminal-calls';
import type { ReadTimeouts } from '../activities/gateway/timeouts';
import type { TerminalKeyStore } from '../activities/keys/key-store';
import { MemoryKeyStore } from '../activities/keys/memory-key-store';
import { createActivities } from '../activities/payment-activities';
import type { GatewayOperation } from '../workflows/types';
import { DEFAULT_MAX_CACHED_WORKFLOWS, type WorkerTuning } from './tuning';

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  config: WorkerConfig;
  /**
   * Where the signer reads each terminal's current key, and where check-ins store the new one. Without
   * it the worker signs with the configured keys and does not run check-ins at all: a rotated key
   * kept only in memory would be lost at the next restart.
   */
  keyStore?: TerminalKeyStore;
  /** Called (fire-and-forget) when a payment call meets ILLEGAL_SIGN; worker/checkin-schedules.ts `checkinRequester`. */
  requestCheckin?: (terminalSn: string) => void;
  /** A pre-built bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Shorter HTTP read timeouts (tests of hanging gateways); production uses the defaults. */
  gatewayTimeouts?: Partial<Record<GatewayOperation | 'checkin', ReadTimeouts>>;
  /** Payload encryption (codec/); the client must use the same. Default: from PAYLOAD_ENCRYPTION_KEY. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Cache size, concurrency and gateway rate limits (worker/tuning.ts); unset: DEFAULT_MAX_CACHED_WORKFLOWS, else the SDK's. */
  tuning?: WorkerTuning;
}

/** The terminals of the configuration as key store entries (how a key store is first filled). */
export function configuredTerminals(config: WorkerConfig) {
  return config.terminals.map((t) => ({
    terminalSn: t.terminalSn,
    currentKey: t.terminalKey,
    ...(t.deviceId ? { deviceId: t.deviceId } : {}),
  }));
}

/** The payment worker: the saga and check-in workflows plus gateway activities for the stored terminals. */
export async function createPaymentWorker({
  connection,
  namespace,
  config,
  keyStore,
  requestCheckin,
  workflowBundle,
  gatewayTimeouts,
  dataConverter = dataConverterFromEnv(),
  tuning = {},
}: PaymentWorkerOptions): Promise<Worker> {
  const dispatcher = createGatewayDispatcher(config.apiDomain);
  const signingKeys = keyStore ?? new MemoryKeyStore(configuredTerminals(config));
  const gateway = new GatewayClient({
    apiDomain: config.apiDomain,
    dispatcher,
    terminalKey: async (sn) => (await signingKeys.get(sn))?.currentKey,
    ...(gatewayTimeouts ? { timeouts: gatewayTimeouts } : {}),
  });
  const terminalCalls = {
    dispatcher,
    origin: config.apiDomain,
    ...(gatewayTimeouts?.checkin ? { timeouts: { checkin: gatewayTimeouts.checkin } } : {}),
  };
  return Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: {
      ...createActivities({ gateway, ...(requestCheckin ? { onIllegalSign: requestCheckin } : {}) }),
      // Only a worker with a key store takes check-in tasks; on a shared task queue, another one will.
      ...(keyStore
        ? createCheckinActivities({ keyStore, checkin: (body, key) => checkinTerminal(terminalCalls, body, key) })
        : {}),
    },
    dataConverter,
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...tuning,
  });
}
