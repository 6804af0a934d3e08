import type { ExistingStatus, OddAnswer, SlowRefund, SlowReversal } from './unfriendly-scenarios';
import { SIBLING_TERMINAL_SN, UNLISTED_ERROR_CODE } from './unfriendly-scenarios';
import type { ActionStep, Scenario } from './scenarios';

/**
 * Barcodes (`sim-…`, at most 32 characters) for the unfriendly knobs; longer combinations need the control API.
 * The table lives in simulator/README.md ("Unfriendly gateway").
 */
export function unfriendlyBarcode(code: string): Scenario | undefined {
  if (code === 'paid-as-cancel') return { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ paidFirst: true }] };
  if (code === 'shared-sn') return { clientSnScope: 'merchant' };
  return reversal(code) ?? refund(code) ?? latePay(code) ?? taken(code) ?? echo(code) ?? odd(code);
}

const REFUND_FIXED: Record<string, Scenario> = {
  'refund-reset': { refund: [{ fault: 'reset' }] },
  'refund-hang': { refund: [{ fault: 'hang' }] },
  'refund-error': { refund: ['REFUND_ERROR'] },
  'refund-repeat-noop': { refundRepeat: 'noop' },
};

const REFUND = /^refund-(lands|late)-(\d+)(ms|s)((?:-(?:ok|lost|hang|error|rip|rerr|failed))*)$/;

/** `refund-lands-5s-lost-rip`: accepted, lands after 5 s, answer lost, REFUND_INPROGRESS meanwhile. */
function refund(code: string): Scenario | undefined {
  const fixed = REFUND_FIXED[code];
  if (fixed) return fixed;
  const hold = /^refund-hold-(\d+)(ms|s)$/.exec(code);
  if (hold) return { refund: [{ holdMs: Number(hold[1]) * (hold[2] === 's' ? 1000 : 1) }] };
  const m = REFUND.exec(code);
  if (!m) return undefined;
  const delay = Number(m[2]) * (m[3] === 's' ? 1000 : 1);
  const flags = new Set((m[4] ?? '').split('-').filter(Boolean));
  const lost = flags.has('lost') ? 'reset' : flags.has('hang') ? 'hang' : undefined;
  if (m[1] === 'late') {
    if ([...flags].some((f) => f !== 'lost')) return undefined;
    return { refund: [lost === 'reset' ? { lateMs: delay, fault: 'reset' } : { lateMs: delay }] };
  }
  const slow: SlowRefund = { effectAfterMs: delay };
  if (flags.has('rip')) slow.meanwhile = 'REFUND_INPROGRESS';
  if (flags.has('rerr')) slow.meanwhile = 'REFUND_ERROR';
  if (flags.has('ok')) slow.reply = 'success';
  if (flags.has('error')) slow.reply = 'error';
  if (lost) slow.reply = lost;
  if (flags.has('failed')) slow.outcome = 'failed';
  return { refund: [slow] };
}

const REVERSAL = /^(cancel|revoke)-(lands|late)-(\d+)(ms|s)((?:-(?:ok|lost|hang|cip|refuse|nr|paying))*)$/;

/** `revoke-lands-15s-lost-refuse`: accepted, lands after 15 s, answer lost, other revokes refused meanwhile. */
function reversal(code: string): Scenario | undefined {
  const m = REVERSAL.exec(code);
  if (!m) return undefined;
  const op = m[1] as 'cancel' | 'revoke';
  const delay = Number(m[3]) * (m[4] === 's' ? 1000 : 1);
  const flags = new Set((m[5] ?? '').split('-').filter(Boolean));
  const lost = flags.has('lost') ? 'reset' : flags.has('hang') ? 'hang' : undefined;
  let step: ActionStep;
  if (m[2] === 'late') {
    if (flags.has('ok') || flags.has('cip') || flags.has('refuse') || flags.has('nr')) return undefined;
    step = lost === 'reset' ? { lateMs: delay, fault: 'reset' } : { lateMs: delay };
  } else {
    const slow: SlowReversal = { effectAfterMs: delay };
    if (flags.has('paying')) slow.paidFirst = true;
    if (flags.has('cip')) slow.meanwhile = 'CANCEL_INPROGRESS';
    if (flags.has('ok')) slow.reply = 'success';
    if (lost) slow.reply = lost;
    if (flags.has('refuse')) slow.othersMeanwhile = 'invalid-state';
    if (flags.has('nr')) slow.othersMeanwhile = 'not-refundable';
    step = slow;
  }
  const scenario: Scenario = op === 'cancel' ? { cancel: [step] } : { revoke: [step] };
  if (flags.has('paying')) scenario.pay = { result: 'PAY_IN_PROGRESS' };
  return scenario;
}

/** `late-5s` (answer hangs) / `late-5s-lost` (reset): the pay reaches the books 5 s after it arrived. */
function latePay(code: string): Scenario | undefined {
  const m = /^late-(\d+)(ms|s)(-lost)?$/.exec(code);
  if (!m) return undefined;
  const lateMs = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return { pay: m[3] ? { lateMs, fault: 'reset' } : { lateMs } };
}

/** `taken-paid`, `taken-created-1` (another order of 1 fen), `taken-paid-500-same` (on this very terminal). */
function taken(code: string): Scenario | undefined {
  const m = /^taken-(paid|created|canceled)(?:-(\d{1,10}))?(-same)?$/.exec(code);
  if (!m) return undefined;
  const status: ExistingStatus = m[1] === 'paid' ? 'PAID' : m[1] === 'created' ? 'CREATED' : 'PAY_CANCELED';
  const existing: Scenario['existingOrder'] = { status };
  if (m[2] !== undefined && Number(m[2]) > 0) existing.totalAmount = m[2];
  if (m[3]) existing.sameTerminal = true;
  return { existingOrder: existing };
}

/** `echo-amount-1`, `echo-terminal`, `echo-client-sn`: every answer on the order describes another one. */
function echo(code: string): Scenario | undefined {
  if (code === 'echo-terminal') return { echoMismatch: { terminalSn: SIBLING_TERMINAL_SN } };
  if (code === 'echo-client-sn') return { echoMismatch: { clientSn: 'sim-another-client-sn' } };
  const m = /^echo-amount-(\d{1,10})$/.exec(code);
  return m && Number(m[1]) > 0 ? { echoMismatch: { totalAmount: m[1] ?? '' } } : undefined;
}

/** `odd-cancel` (CANCEL_WEIRD), `odd-revoke-fail` (FAIL + an unlisted code), `-top` (top-level 503), `-commit`. */
function odd(code: string): Scenario | undefined {
  const m = /^odd-(pay|query|cancel|revoke|refund)(-fail)?(-top)?(-commit)?$/.exec(code);
  if (!m) return undefined;
  const op = m[1] as 'pay' | 'query' | 'cancel' | 'revoke' | 'refund';
  const answer: OddAnswer = m[3]
    ? { resultCode: '503', errorCode: UNLISTED_ERROR_CODE, topLevel: true }
    : m[2]
      ? { resultCode: 'FAIL', errorCode: UNLISTED_ERROR_CODE }
      : { resultCode: `${op.toUpperCase()}_WEIRD` };
  if (m[4]) answer.commit = true;
  if (op === 'pay') return { pay: { odd: answer } };
  return { [op]: [{ odd: answer }] };
}
