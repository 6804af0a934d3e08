import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { TerminalKeyStore } from '../activities/keys/key-store';
import { TerminalSnKey } from '../workflows/search-attributes';
import { checkinNowWorkflowId, checkinScheduleId, type CheckinInput } from '../workflows/checkin-types';
import type { terminalCheckin } from '../workflows/terminal-checkin';
import { endOfShanghaiDay } from '../workflows/timing';

/** The daily check-in: 00:05 in China, after the gateway's day has turned (reference §2.4). */
export const CHECKIN_AT = { hour: 0, minute: 5, timezone: 'Asia/Shanghai' } as const;

export interface CheckinOptions {
  taskQueue: string;
  /** Retry of a check-in without an answer (default: workflows/checkin-types.ts); tests shorten it. */
  retry?: CheckinInput['retry'];
}

function scheduleOptions(terminalSn: string, { taskQueue, retry }: CheckinOptions): ScheduleOptions {
  return {
    scheduleId: checkinScheduleId(terminalSn),
    spec: {
      calendars: [{ hour: CHECKIN_AT.hour, minute: CHECKIN_AT.minute, comment: 'daily terminal check-in' }],
      timezone: CHECKIN_AT.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'terminalCheckin',
      workflowId: checkinScheduleId(terminalSn),
      taskQueue,
      args: [{ terminalSn, ...(retry ? { retry } : {}) } satisfies CheckinInput],
      typedSearchAttributes: [{ key: TerminalSnKey, value: terminalSn }],
    },
    // Never two check-ins of one terminal at once; after an outage, still check in once (within a day).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
  };
}

/**
 * One Schedule per terminal, created at worker start; an existing one is brought to the current
 * definition, so starting any number of workers (or restarting one) leaves exactly one schedule.
 */
export async function ensureCheckinSchedules(
  client: Client,
  terminalSns: readonly string[],
  options: CheckinOptions,
): Promise<void> {
  for (const terminalSn of terminalSns) {
    const wanted = scheduleOptions(terminalSn, options);
    try {
      await client.schedule.create(wanted);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(wanted.scheduleId).update((previous) => ({
        ...previous,
        spec: wanted.spec,
        action: wanted.action,
        policies: { ...previous.policies, ...wanted.policies },
      }));
    }
  }
}

/**
 * Starts a check-in now (or joins the one already running for that terminal). Used by the CLI and,
 * throttled, when a payment meets ILLEGAL_SIGN.
 */
export function startCheckinNow(client: Client, terminalSn: string, options: CheckinOptions) {
  return client.workflow.start<typeof terminalCheckin>('terminalCheckin', {
    workflowId: checkinNowWorkflowId(terminalSn),
    taskQueue: options.taskQueue,
    args: [{ terminalSn, ...(options.retry ? { retry: options.retry } : {}) }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: TerminalSnKey, value: terminalSn }],
  });
}

/** Check-in options of the key rotation, with the throttle and log of the check-ins requested after ILLEGAL_SIGN. */
export interface KeyRotationOptions extends CheckinOptions {
  /** At most one requested check-in per terminal in this time (default 60 s). */
  minIntervalMs?: number;
  /** Where a requested check-in is reported (default console.warn). */
  log?: (message: string) => void;
}

/**
 * A fire-and-forget check-in request for the payment activities: at most one per terminal per
 * `minIntervalMs`, errors logged, never thrown (the payment's own path does not depend on it).
 */
export function checkinRequester(client: Client, options: KeyRotationOptions): (terminalSn: string) => void {
  const lastRequest = new Map<string, number>();
  const { minIntervalMs = 60_000, log = (m) => console.warn(m) } = options;
  return (terminalSn) => {
    const now = Date.now();
    if (now - (lastRequest.get(terminalSn) ?? -Infinity) < minIntervalMs) return;
    lastRequest.set(terminalSn, now);
    startCheckinNow(client, terminalSn, options).then(
      () => log(`check-in of terminal ${terminalSn} requested after ILLEGAL_SIGN`),
      (err: unknown) => log(`check-in of terminal ${terminalSn} could not be started: ${String(err)}`),
    );
  };
}

/** Terminals whose key was not received today (China time): they check in before their first payment. */
export async function terminalsDueForCheckin(keyStore: TerminalKeyStore, now = Date.now()): Promise<string[]> {
  const due: string[] = [];
  for (const sn of await keyStore.terminalSns()) {
    const t = await keyStore.get(sn);
    // Same Shanghai day ⇔ same end of day (workflows/timing.ts, the saga's own day arithmetic).
    if (!t?.keyReceivedAt || endOfShanghaiDay(Date.parse(t.keyReceivedAt)) !== endOfShanghaiDay(now)) due.push(sn);
  }
  return due;
}
