import type { Client } from '@temporalio/client';
import type { StoredTerminal, TerminalKeyStore } from '../activities/keys/key-store';
import {
  checkinRequester,
  ensureCheckinSchedules,
  startCheckinNow,
  terminalsDueForCheckin,
  type KeyRotationOptions,
} from './checkin-schedules';

/**
 * Daily key rotation for every terminal in the store: terminals configured by hand join the store
 * once (a key rotated there since is never overwritten), each gets its check-in schedule, and those
 * whose key is not from today check in at once. Returns what the worker needs (createPaymentWorker).
 */
export async function startKeyRotation(
  client: Client,
  keyStore: TerminalKeyStore,
  seeds: readonly StoredTerminal[],
  options: KeyRotationOptions,
): Promise<{ terminalSns: string[]; requestCheckin: (terminalSn: string) => void }> {
  for (const seed of seeds) {
    if (!(await keyStore.get(seed.terminalSn))) await keyStore.put(seed);
  }
  const terminalSns = await keyStore.terminalSns();
  await ensureCheckinSchedules(client, terminalSns, options);
  for (const sn of await terminalsDueForCheckin(keyStore)) await startCheckinNow(client, sn, options);
  return { terminalSns, requestCheckin: checkinRequester(client, options) };
}
