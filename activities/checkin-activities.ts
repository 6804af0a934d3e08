import { ApplicationFailure, log } from '@temporalio/activity';
import type { CredentialsResult } from './gateway/terminal-calls';
import { recordCheckin, recordGatewayCall } from './metrics';
import type { CheckinRequestWire } from './gateway/models';
import type { TerminalKeyStore } from './keys/key-store';
import { CheckinFailure, type CheckinInput, type CheckinResult } from '../workflows/checkin-types';

/** The metric labels of a failed check-in: its gateway code, or the transport error named in its reason. */
function transportOrCode(result: { errorCode?: string; reason: string }): {
  errorCode?: string;
  transportError?: string;
} {
  if (result.errorCode !== undefined) return { errorCode: result.errorCode };
  const transport = /^transport (\S+)$/.exec(result.reason);
  return transport ? { transportError: transport[1]! } : {};
}

export interface CheckinDeps {
  keyStore: TerminalKeyStore;
  /** One signed `/terminal/checkin` call (activities/gateway/terminal-calls.ts). */
  checkin: (body: CheckinRequestWire, key: string) => Promise<CredentialsResult>;
  now?: () => Date;
}

/**
 * The daily check-in (reference §2.4): sign with the current key, store the new key as current and
 * the old one as previous. A failure changes no key: the worker keeps signing with the key it has,
 * which the gateway still accepts as its previous key until the next rotation.
 */
export function createCheckinActivities({ keyStore, checkin, now = () => new Date() }: CheckinDeps) {
  // One check-in per terminal at a time in this process: two would rotate twice and race on the store.
  const running = new Map<string, Promise<CheckinResult>>();

  async function checkinOnce(terminalSn: string): Promise<CheckinResult> {
    const terminal = await keyStore.get(terminalSn);
    if (!terminal?.deviceId) {
      recordCheckin('not_in_key_store');
      throw ApplicationFailure.nonRetryable(
        terminal
          ? `terminal ${terminalSn} has no device_id in the key store: activate it or add its device_id`
          : `terminal ${terminalSn} is not in this worker's key store`,
        CheckinFailure.NotInKeyStore,
      );
    }
    const started = performance.now();
    const result = await checkin({ terminal_sn: terminalSn, device_id: terminal.deviceId }, terminal.currentKey);
    recordGatewayCall(
      'checkin',
      result.ok ? 'success' : result.answered ? 'definite_failure' : 'unknown',
      result.ok ? {} : transportOrCode(result),
      performance.now() - started,
    );
    const at = now().toISOString();
    if (result.ok && result.terminalSn === terminalSn) {
      const newKey = result.terminalKey;
      // The gateway has rotated: from here on, never call it again for this attempt. A retry would sign
      // with the old key, rotate once more and leave the key we failed to store two rotations behind.
      let stored: Awaited<ReturnType<TerminalKeyStore['update']>>;
      try {
        stored = await keyStore.update(terminalSn, (t) => ({
          ...t,
          previousKey: t.currentKey,
          currentKey: newKey,
          keyReceivedAt: at,
          lastCheckin: { at, ok: true },
        }));
      } catch (err) {
        recordCheckin('not_stored');
        log.error('terminal checked in but the new key could not be stored: still signing with the old key', {
          terminalSn,
          error: (err as Error).name,
        });
        throw ApplicationFailure.nonRetryable(
          `terminal ${terminalSn} checked in but its new key could not be stored (${(err as Error).name}); ` +
            'the old key stays valid until the next check-in: fix the key store, then check in again',
          CheckinFailure.KeyNotStored,
        );
      }
      if (!stored) {
        // Removed from the store while the call ran: the gateway rotated, but nobody holds the new key.
        recordCheckin('not_in_key_store');
        throw ApplicationFailure.nonRetryable(
          `terminal ${terminalSn} left the key store during its check-in: the new key was not stored`,
          CheckinFailure.NotInKeyStore,
        );
      }
      recordCheckin('ok');
      log.info('terminal checked in: new key stored', { terminalSn });
      return { terminalSn, checkedInAt: at };
    }
    const reason = result.ok ? `answered for terminal ${result.terminalSn}` : result.reason;
    await keyStore.update(terminalSn, (t) => ({ ...t, lastCheckin: { at, ok: false, error: reason } }));
    log.warn('terminal check-in failed: still signing with the stored key', { terminalSn, reason });
    if (!result.ok && !result.answered) {
      recordCheckin('no_answer');
      throw ApplicationFailure.retryable(
        `check-in of terminal ${terminalSn} got no answer: ${reason}`,
        CheckinFailure.NoAnswer,
      );
    }
    if (!result.ok && result.errorCode === 'ILLEGAL_SIGN') {
      recordCheckin('key_rejected');
      throw ApplicationFailure.nonRetryable(
        `the gateway rejects terminal ${terminalSn}'s key: re-activate it (npm run client -- activate)`,
        CheckinFailure.KeyRejected,
      );
    }
    recordCheckin('refused');
    throw ApplicationFailure.nonRetryable(
      `check-in of terminal ${terminalSn} refused: ${reason}`,
      CheckinFailure.Refused,
    );
  }

  return {
    checkinTerminal({ terminalSn }: CheckinInput): Promise<CheckinResult> {
      const inFlight = running.get(terminalSn);
      if (inFlight) return inFlight;
      const attempt = checkinOnce(terminalSn).finally(() => running.delete(terminalSn));
      running.set(terminalSn, attempt);
      return attempt;
    },
  };
}

export type CheckinActivities = ReturnType<typeof createCheckinActivities>;
