import { endOfShanghaiDay, reversalDelayMs } from './timing';
import type { CallStep, GatewayCallRecord, GatewayOperation, PaymentRequest, PaymentStatus } from './types';

/**
 * What an operator reads in the Temporal Web UI without opening the Queries tab: the payment's
 * one-line summary in the workflow list, the short summary of each gateway activity, and the
 * payment's current details (state, what the last gateway answer meant, what happens next and when,
 * what the operator may do now). Pure and deterministic: text from the status alone, times in
 * Asia/Shanghai. Never the terminal key (the status has none) nor the customer's barcode.
 */

const HOUR_MS = 3_600_000;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** `¥12.34` from 1234 fen. */
export function yuan(amountFen: number): string {
  const sign = amountFen < 0 ? '-' : '';
  const fen = Math.abs(Math.trunc(amountFen));
  return `${sign}¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `HH:MM:SS` (or `HH:MM`) of a Unix ms instant, in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiClock(ms: number, withSeconds = true): string {
  const day = 24 * HOUR_MS;
  const inDay = (((ms + SHANGHAI_OFFSET_MS) % day) + day) % day;
  const pad = (n: number) => String(n).padStart(2, '0');
  const hh = pad(Math.floor(inDay / HOUR_MS));
  const mm = pad(Math.floor((inDay % HOUR_MS) / 60_000));
  return withSeconds ? `${hh}:${mm}:${pad(Math.floor((inDay % 60_000) / 1000))}` : `${hh}:${mm}`;
}

/** A deadline as an operator reads it: `HH:MM`, or `24:00` for the end of the payment's business day. */
function until(ms: number, startedAt: number): string {
  return ms === endOfShanghaiDay(startedAt) ? '24:00' : shanghaiClock(ms, false);
}

/** The payment's one line in the Web UI's workflow list (the start's static summary). */
export function paymentSummary(p: Pick<PaymentRequest, 'amountFen' | 'subject' | 'terminalSn' | 'clientSn'>): string {
  return `${yuan(p.amountFen)} · ${p.subject} · terminal ${p.terminalSn} · client_sn ${p.clientSn}`;
}

/**
 * How a gateway call is named for people: the activity's summary and the details' "last answer".
 * A step not named here shows as its step name and number.
 */
const CALL_NAMES: Partial<Record<CallStep, (attempt: number) => string>> = {
  pay: () => 'pay',
  'confirm-query': (n) => `confirm query ${n}`,
  cancel: (n) => `cancel #${n} of the schedule`,
  'cancel-check-query': (n) => `cancel check query ${n}`,
  'revoke-look-query': () => 'revoke look',
  revoke: (n) => `revoke #${n} of the schedule`,
  'revoke-check-query': (n) => `revoke check query ${n}`,
  'close-check-query': () => 'close check',
  'recheck-query': (n) => `recheck query ${n}`,
};

export function callSummary(step: CallStep, attempt: number): string {
  return CALL_NAMES[step]?.(attempt) ?? `${step} ${attempt}`;
}

/**
 * The step and number of the gateway call about to be made, read from the calls made so far and the
 * state (the phases number their calls the same way: a cancel and its check query share a number,
 * a check query after the schedule continues the numbering; an operator's recheck waiting is served
 * by the next query, except behind a cancel's own check and while revoking). Only names the
 * activity for people; a caller that knows better passes the name (gateway-steps.ts CallName).
 */
export function nextCall(
  status: Pick<PaymentStatus, 'state' | 'calls' | 'rechecks'>,
  operation: GatewayOperation,
): { step: CallStep; attempt: number } {
  const count = (step: CallStep) => status.calls.filter((c) => c.step === step).length;
  switch (operation) {
    case 'pay':
      return { step: 'pay', attempt: 1 };
    case 'cancel':
      return { step: 'cancel', attempt: count('cancel') + 1 };
    case 'revoke':
      return { step: 'revoke', attempt: count('revoke') + 1 };
    default:
      break;
  }
  const last = status.calls[status.calls.length - 1];
  if (last?.step === 'cancel') return { step: 'cancel-check-query', attempt: last.attempt };
  const recheckWaiting = (status.rechecks ?? []).some((r) => r.answeredAt === undefined);
  if (recheckWaiting && status.state !== 'REVOKING' && status.state !== 'PAYING')
    return { step: 'recheck-query', attempt: count('recheck-query') + 1 };
  switch (status.state) {
    case 'CONFIRMING':
      return { step: 'confirm-query', attempt: count('confirm-query') + 1 };
    case 'CANCELING':
      return { step: 'cancel-check-query', attempt: count('cancel-check-query') + 1 };
    case 'REVOKING':
      return count('revoke-look-query') === 0
        ? { step: 'revoke-look-query', attempt: 1 }
        : { step: 'revoke-check-query', attempt: count('revoke-check-query') + 1 };
    default:
      return { step: 'close-check-query', attempt: 1 };
  }
}

/** What one gateway answer meant, in a few words. */
export function answerMeaning(call: GatewayCallRecord): string {
  const order = call.order?.orderStatus;
  const code = call.errorCode ?? call.reason;
  const what = ((): string => {
    switch (call.kind) {
      case 'success':
        if (call.operation === 'query') return `order ${order ?? '?'}`;
        if (call.operation === 'pay') return 'paid';
        return call.operation === 'revoke' ? 'revoked' : 'reversed';
      case 'definite_failure':
        if (call.operation === 'query') return 'no such order';
        return call.operation === 'pay' ? 'definitely not paid' : 'refused';
      case 'in_progress':
        return order ? `in progress, order ${order}` : 'in progress';
      case 'unknown':
        return 'no definite answer';
    }
  })();
  return code && !what.includes(code) ? `${what} (${code})` : what;
}

const RESOLUTIONS = 'PAID, FAILED, CANCELED, REVOKED, REFUNDED, PARTIAL_REFUNDED or SETTLED_OUTSIDE (with a reference)';

/**
 * The payment's current details, as the Web UI shows them on its page (User Metadata → Current
 * Details, rendered as markdown: one fact a paragraph; JSON in code spans so the UI keeps its quotes).
 * `now` is the workflow's clock when the status changed; `barcode` is blanked out should any text
 * ever carry it; `closeCheckDue`: the gateway is asked once more before the workflow closes.
 */
export function currentDetails(
  status: PaymentStatus,
  now: number,
  { barcode, closeCheckDue = false }: { barcode?: string | undefined; closeCheckDue?: boolean } = {},
): string {
  const lines = [
    `**${status.state}** · ${paymentSummary(status)}${status.sn ? ` · sn ${status.sn}` : ''}`,
    `Last gateway answer: ${lastAnswer(status)}`,
    `Next: ${whatNext(status, now, closeCheckDue)}`,
    `Operator: ${operatorMay(status, now)}`,
  ];
  const recheck = status.rechecks?.[status.rechecks.length - 1];
  if (recheck) {
    const asked = `Recheck by ${recheck.operator} at ${shanghaiClock(recheck.requestedAt)}`;
    lines.push(
      recheck.answeredAt === undefined
        ? `${asked}: waiting for the next query`
        : `${asked}: the gateway said ${recheck.gateway ?? '?'}; ${recheck.effect ?? ''}`,
    );
  }
  const refunds = status.refunds ?? [];
  if (refunds.length > 0)
    lines.push(
      `Refunds told by their workflows: ${refunds.map((r) => `${r.refundRequestNo} ${yuan(r.amountFen)} ${r.state}`).join(', ')}` +
        ' (no revoke after a refund; the gateway must show them at close)',
    );
  const ignored = status.ignored[status.ignored.length - 1];
  if (ignored) lines.push(`Ignored ${ignored.name} at ${shanghaiClock(ignored.at)}: ${ignored.why}`);
  lines.push('_Times are Asia/Shanghai (UTC+8)._');
  const text = lines.join('\n\n');
  return barcode && barcode.length > 0 ? text.split(barcode).join('…') : text;
}

/** The number of the last call of this step (0 when none). */
function lastAttempt(s: PaymentStatus, step: CallStep): number {
  return s.calls.reduce((n, c) => (c.step === step ? Math.max(n, c.attempt) : n), 0);
}

function lastAnswer(status: PaymentStatus): string {
  const call = status.calls[status.calls.length - 1];
  if (!call) return 'none yet';
  return `${callSummary(call.step, call.attempt)} at ${shanghaiClock(call.at)}: ${answerMeaning(call)}`;
}

function whatNext(s: PaymentStatus, now: number, closeCheckDue: boolean): string {
  const t = s.timing;
  const last = s.calls[s.calls.length - 1];
  const closes =
    `closes at ${until(t.revokeWindowEnd, s.startedAt)} (Asia/Shanghai), when the revoke window ends` +
    (closeCheckDue
      ? ', after one last query to the gateway (this state was reached late, in doubt or set by a person)'
      : '');
  if (s.settledAt !== undefined) return `nothing: closed at ${shanghaiClock(s.settledAt)}`;
  switch (s.state) {
    case 'PAYING':
      return 'waiting for the answer to pay; without a definite one, confirm queries follow';
    case 'CONFIRMING': {
      const n = lastAttempt(s, 'confirm-query');
      const windowEnd = s.startedAt + t.confirmWindowMs;
      const at = (last?.at ?? now) + t.confirmIntervalMs;
      if (n > 0 && at > windowEnd) return 'confirm window over: cancel (冲正) next, unless the last query settled it';
      return `confirm query ${n + 1} at about ${shanghaiClock(at)}; queries stop about ${shanghaiClock(windowEnd)}, then cancel (冲正) if still unconfirmed`;
    }
    case 'CANCELING': {
      const n = lastAttempt(s, 'cancel');
      const at = (last?.at ?? now) + reversalDelayMs(t, n + 1);
      if (n > 0 && at >= t.cancelDeadline)
        return `cancel deadline ${until(t.cancelDeadline, s.startedAt)} reached: a cancel in doubt is waited out by query, then a person`;
      return `cancel #${n + 1} at about ${shanghaiClock(at)}; no cancel after ${until(t.cancelDeadline, s.startedAt)} (Asia/Shanghai), then a person`;
    }
    case 'REVOKING': {
      const n = lastAttempt(s, 'revoke');
      if (n === 0) return 'looking the order up, then revoke #1';
      const at = (last?.at ?? now) + reversalDelayMs(t, n + 1);
      return `revoke #${n + 1} at about ${shanghaiClock(at)} if still unsettled; no revoke after ${until(t.revokeWindowEnd, s.startedAt)} (Asia/Shanghai)`;
    }
    case 'NEEDS_ATTENTION':
      return `waits for a person: ${s.escalation?.reason ?? 'see status.escalation'}`;
    case 'PAID':
      return s.revoke?.status === 'PENDING' ? 'revoke requested: the revoke runs now' : closes;
    default:
      return closes;
  }
}

function operatorMay(s: PaymentStatus, now: number): string {
  const t = s.timing;
  const windowOpen = now < t.revokeWindowEnd;
  const revokeUntil = `revoke until ${until(t.revokeWindowEnd, s.startedAt)} (Asia/Shanghai)`;
  const howToRevoke = 'More Actions → Send a Signal → `revoke` `{"operator":"…","reason":"…"}`';
  const r = s.revoke;
  if (s.settledAt !== undefined) return 'nothing: the payment is closed';
  switch (s.state) {
    case 'PAYING':
    case 'CONFIRMING':
    case 'CANCELING':
      if (r) return `wait: the revoke of ${r.operator} is remembered and runs only if the payment ends PAID`;
      if (!windowOpen) return 'wait';
      return `wait, or ${revokeUntil}: remembered, carried out only if the payment ends PAID (${howToRevoke})`;
    case 'PAID':
      if (r?.status === 'PENDING') return `wait: the revoke of ${r.operator} runs now`;
      if (r) return `nothing: revoke ${r.status}${r.detail ? ` (${r.detail})` : ''}, a revoke is allowed once`;
      if (s.refunds?.some((f) => f.state !== 'REFUSED' && f.state !== 'NOT_REFUNDED'))
        return 'refund (a refund workflow per refund_request_no): no revoke after a refund';
      if (!windowOpen) return 'nothing: the revoke window has closed';
      return `${revokeUntil}: ${howToRevoke}`;
    case 'REVOKING':
      return `wait: the revoke of ${r?.operator ?? 'an operator'} is running`;
    case 'NEEDS_ATTENTION':
      return `check the order with 收钱吧, then resolve with ${RESOLUTIONS}: More Actions → Send a Signal → \`resolve\` \`{"operator":"…","resolution":"…","note":"…"}\``;
    default:
      if (s.resolution) return `nothing: resolved ${s.resolution.resolution} by ${s.resolution.operator}`;
      return 'nothing';
  }
}
