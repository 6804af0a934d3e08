import { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createCheckinActivities } from '../activities/checkin-activities';
import { dataConverterFromEnv } from '../codec/encryption-codec';
import { GatewayClient } from '../activities/gateway/client';
import { createGatewayDispatcher } from '../activities/gateway/http';
import { checkinTerminal } from '../activities/gateway/terminal-calls';
import type { CallDeadline } from '../activities/gateway/timeouts';
import { FileKeyStore } from '../activities/keys/file-key-store';
import type { StoredTerminal, TerminalKeyStore } from '../activities/keys/key-store';
import { MemoryKeyStore } from '../activities/keys/memory-key-store';
import { admitPayment } from '../activities/admission';
import { createActivities } from '../activities/payment-activities';
import { admitRefund, createRefundActivities } from '../activities/refund-activities';
import type { GatewayOperation } from '../workflows/types';
import { ConfigError, type WorkerConfig } from './config';
import type { KeyRotationOptions } from './checkin-schedules';
import { startKeyRotation } from './key-rotation';
import { DEFAULT_MAX_CACHED_WORKFLOWS, type WorkerTuning } from './tuning';

export interface PaymentWorkerOptions {
  /** The worker polls through it; the key rotation's client (schedules, check-ins) uses it too. */
  connection: NativeConnection;
  /** Default `default`. */
  namespace?: string;
  config: WorkerConfig;
  /**
   * Where the signer reads each terminal's current key, and where check-ins store the new one.
   * Default: the file `config.keyStoreFile` when set, else none. With a key store the worker runs the
   * daily key rotation (worker/key-rotation.ts) and the check-in activities; without one it signs with
   * the configured keys and runs no check-in at all: a rotated key kept only in memory would be lost
   * at the next restart.
   */
  keyStore?: TerminalKeyStore;
  /** The key rotation's check-in retry, ILLEGAL_SIGN request throttle and log (tests shorten them). */
  checkin?: Omit<KeyRotationOptions, 'taskQueue'>;
  /** A pre-built bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Shorter call deadlines (tests of hanging gateways); production uses the defaults. */
  gatewayTimeouts?: Partial<Record<GatewayOperation | 'checkin', CallDeadline>>;
  /**
   * Payload encryption (codec/) of the worker and of its key rotation's client; every client must use the
   * same. Default: from PAYLOAD_ENCRYPTION_KEY.
   */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Cache size, concurrency and gateway rate limits (worker/tuning.ts); unset: DEFAULT_MAX_CACHED_WORKFLOWS, else the SDK's. */
  tuning?: WorkerTuning;
}

/** The worker, ready to run, and what it was built with. */
export interface PaymentWorker {
  worker: Worker;
  /** The terminals it signs for. */
  terminalSns: string[];
  /** Whether it runs the daily key rotation (it has a key store). */
  dailyCheckin: boolean;
}

/** The terminals of the configuration as key store entries (how a key store is first filled). */
function configuredTerminals(config: WorkerConfig): StoredTerminal[] {
  return config.terminals.map((t) => ({
    terminalSn: t.terminalSn,
    currentKey: t.terminalKey,
    ...(t.deviceId ? { deviceId: t.deviceId } : {}),
  }));
}

/**
 * The one composition root of the payment worker, used by `npm run worker`, `npm start`, the tests and
 * (through `npm run worker`) the bench: key store, key rotation, gateway client, activities, data
 * converter and tuning around the saga and check-in workflows. Nothing runs until `worker.run()`.
 */
export async function createPaymentWorker({
  connection,
  namespace = 'default',
  config,
  keyStore = config.keyStoreFile ? new FileKeyStore(config.keyStoreFile) : undefined,
  checkin = {},
  workflowBundle,
  gatewayTimeouts,
  dataConverter = dataConverterFromEnv(),
  tuning = {},
}: PaymentWorkerOptions): Promise<PaymentWorker> {
  let terminalSns = config.terminals.map((t) => t.terminalSn);
  let requestCheckin: ((terminalSn: string) => void) | undefined;
  if (keyStore) {
    if (keyStore instanceof FileKeyStore && (await keyStore.terminalSns()).length + terminalSns.length === 0)
      throw new ConfigError([`SQB_KEY_STORE_FILE ${keyStore.file} holds no terminal`]);
    const client = new Client({ connection, namespace, dataConverter });
    const rotation = await startKeyRotation(client, keyStore, configuredTerminals(config), {
      ...checkin,
      taskQueue: config.taskQueue,
    });
    ({ terminalSns, requestCheckin } = rotation);
  }

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
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: {
      admitPayment, // the saga's admission, its answer recorded in history
      ...createActivities({ gateway, ...(requestCheckin ? { onIllegalSign: requestCheckin } : {}) }),
      admitRefund, // the refund workflow's admission and gateway calls (workflows/refund-saga.ts)
      ...createRefundActivities({ gateway, ...(requestCheckin ? { onIllegalSign: requestCheckin } : {}) }),
      // Only a worker with a key store takes check-in tasks; on a shared task queue, another one will.
      ...(keyStore
        ? createCheckinActivities({ keyStore, checkin: (body, key) => checkinTerminal(terminalCalls, body, key) })
        : {}),
    },
    dataConverter,
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...tuning,
  });
  return { worker, terminalSns, dailyCheckin: keyStore !== undefined };
}
