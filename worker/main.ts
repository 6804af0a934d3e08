/**
 * `npm run worker`: runs the payment worker until SIGINT/SIGTERM, then drains and exits.
 * Temporal connection from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TLS, or a TOML profile); gateway and terminals from SQB_* (activities/config.ts); tuning from
 * WORKER_* (worker/tuning.ts). With SQB_KEY_STORE_FILE, every terminal in the store gets a daily
 * check-in schedule and terminals whose key is not from today check in at once.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from '../activities/config';
import { KeyStoreError, FileKeyStore } from '../activities/keys/file-key-store';
import { dataConverterFromEnv } from '../codec/encryption-codec';
import { checkinRequester, ensureCheckinSchedules, startCheckinNow, terminalsDueForCheckin } from './checkin-schedules';
import { configuredTerminals, createPaymentWorker } from './create-worker';
import { loadWorkerTuning } from './tuning';

/** Terminals configured by hand join the key store once; a key rotated there since is never overwritten. */
async function seedKeyStore(store: FileKeyStore, seeds: ReturnType<typeof configuredTerminals>): Promise<void> {
  for (const seed of seeds) {
    if (!(await store.get(seed.terminalSn))) await store.put(seed);
  }
}

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const tuning = loadWorkerTuning();
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  let terminals = config.terminals.map((t) => t.terminalSn);
  let rotation: Pick<Parameters<typeof createPaymentWorker>[0], 'keyStore' | 'requestCheckin'> = {};
  let clientConnection: Connection | undefined;
  if (config.keyStoreFile) {
    const keyStore = new FileKeyStore(config.keyStoreFile);
    await seedKeyStore(keyStore, configuredTerminals(config));
    terminals = await keyStore.terminalSns();
    if (terminals.length === 0) throw new ConfigError([`SQB_KEY_STORE_FILE ${config.keyStoreFile} holds no terminal`]);
    clientConnection = await Connection.connect(connectionOptions);
    const client = new Client({ connection: clientConnection, namespace, dataConverter: dataConverterFromEnv() });
    const checkin = { taskQueue: config.taskQueue };
    await ensureCheckinSchedules(client, terminals, checkin);
    for (const sn of await terminalsDueForCheckin(keyStore)) await startCheckinNow(client, sn, checkin);
    rotation = { keyStore, requestCheckin: checkinRequester(client, checkin) };
  } else {
    console.warn(
      'payment worker: no SQB_KEY_STORE_FILE, so no daily check-in: a real gateway stops accepting a key within a day',
    );
  }
  const worker = await createPaymentWorker({ connection, namespace, config, tuning, ...rotation });
  console.log(
    `payment worker: task queue ${config.taskQueue}, namespace ${namespace}, ` +
      `gateway ${config.apiDomain}, terminals ${terminals.join(', ')}` +
      (config.keyStoreFile ? ', daily check-in on' : '') +
      (Object.keys(tuning).length > 0 ? `, tuning ${JSON.stringify(tuning)}` : ''),
  );
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: run() resolves when drained.
  await worker.run();
  await clientConnection?.close();
  await connection.close();
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof KeyStoreError;
  console.error(expected ? err.message : err);
  process.exit(expected ? 2 : 1);
});
