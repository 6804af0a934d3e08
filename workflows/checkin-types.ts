/** The terminal check-in's contract, shared by the workflow, its activity, the worker and the client. No keys. */

/** Input of the check-in workflow: which terminal, and how its activity retries (in history, so replay-stable). */
export interface CheckinInput {
  terminalSn: string;
  /** Attempts of a check-in that got no answer; fixed interval, no jitter. Default 5 × 60 s. */
  retry?: { attempts: number; intervalMs: number };
}

/** What a successful check-in reports: when, never the key. */
export interface CheckinResult {
  terminalSn: string;
  checkedInAt: string;
}

/** ApplicationFailure types of a check-in. Only NoAnswer is retried: the others need a person. */
export const CheckinFailure = {
  /** No readable answer (network, 5xx): the gateway may have rotated; the stored key stays valid as its previous one. */
  NoAnswer: 'CheckinNoAnswer',
  /** The gateway refuses the terminal's key (two rotations missed, or a changed device): re-activate. */
  KeyRejected: 'CheckinKeyRejected',
  /** Any other definite refusal (bad device_id, unknown terminal, …). */
  Refused: 'CheckinRefused',
  /** The terminal is not in this worker's key store, or has no device_id there. */
  NotInKeyStore: 'TerminalNotInKeyStore',
  /** The gateway rotated but the key store write failed: the old key still signs; fix the store, check in again. */
  KeyNotStored: 'CheckinKeyNotStored',
} as const;

export const CHECKIN_DEFAULT_RETRY = { attempts: 5, intervalMs: 60_000 } as const;

/** One schedule per terminal. Scheduled runs get ids `upay-checkin-<sn>-<timestamp>`. */
export const checkinScheduleId = (terminalSn: string) => `upay-checkin-${terminalSn}`;

/** The on-demand check-in (operator or ILLEGAL_SIGN): one at a time per terminal. */
export const checkinNowWorkflowId = (terminalSn: string) => `upay-checkin-${terminalSn}-now`;
