import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/**
 * The workflow layer's Temporal runtime: warnings only (the saga logs every step at INFO), core's
 * logs forwarded to the same logger so they can be filtered, minus the warnings the fakes cause on
 * purpose and the one the Java test server causes on every worker start (it does not advertise a
 * capability the dev server has).
 * Workflow task failures (a nondeterminism, a throw in workflow code) are warnings and stay visible.
 */
const KNOWN_NOISE = [/did not advertise the activity_failure_include_heartbeat capability/];

/** Failures the fakes raise on purpose (harness.ts: activityCrash, unknownTerminal, timedOut). */
const FAKE_FAILURE_TYPES = ['FakeCrash', 'UnknownTerminal'];

function isExpected(entry: LogEntry): boolean {
  if (KNOWN_NOISE.some((noise) => noise.test(entry.message))) return true;
  if (entry.message === 'Activity failed') {
    const error = entry.meta?.error as { type?: string } | undefined;
    return FAKE_FAILURE_TYPES.includes(error?.type ?? '');
  }
  // The late answer of a call whose heartbeat timeout already fired.
  return entry.message.startsWith('Activity not found on completion');
}

function print(entry: LogEntry): void {
  if (isExpected(entry)) return;
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${JSON.stringify(entry.meta)}` : '';
  process.stderr.write(`${at} [${entry.level}] ${entry.message}${meta}\n`);
}

try {
  Runtime.install({
    logger: new DefaultLogger('WARN', print),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
} catch {
  // already installed in this process (a second test file in the same jest worker)
}
