import type { Client } from '@temporalio/client';
import type { PaymentsClient } from '../../client/payments-client';
import { RevokeRejectedError } from '../../client/errors';
import { reconcile, ordersFromLedger } from '../../scripts/reconcile/reconcile';
import type { RunningSimulator } from '../../simulator';
import {
  paymentWorkflowId,
  type PaymentRequest,
  type PaymentStatus,
  type TimingOverrides,
} from '../../workflows/types';
import { PaymentStateKey } from '../../workflows/search-attributes';
import { paymentViolations } from './invariants';
import { faultCount, scheduleOf, type PaymentPlan } from './schedule';

export interface FuzzEnv {
  client: Client;
  payments: PaymentsClient;
  sim: RunningSimulator;
  terminalSn: string;
}

/** Seconds-long timing so a schedule closes within about ten seconds; recorded in each history. */
const FUZZ_TIMING: TimingOverrides = {
  confirmIntervalMs: 200,
  confirmWindowMs: 1_500,
  cancelDelaysMs: [1_000],
  cancelDeadlineAfterMs: 5_000,
  revokeWindowAfterMs: 7_000,
  requestDoubtMs: 2_000,
};

export interface ScheduleResult {
  seed: number;
  payments: number;
  faults: number;
  violations: string[];
}

/** Runs schedule `seed` as real workflows and checks every invariant against the simulator's ledger. */
export async function runSchedule(env: FuzzEnv, seed: number, tag: string): Promise<ScheduleResult> {
  const schedule = scheduleOf(seed);
  const violations: string[] = [];
  const concluded = await Promise.all(
    schedule.payments.map(async (plan, i) => {
      const request = requestOf(env, `${tag}${i}`);
      try {
        return { request, status: await withDeadline(runPayment(env, plan, request), 120_000) };
      } catch (err) {
        violations.push(`payment ${i}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
  const ledger = env.sim.ledger();
  const finals: PaymentStatus[] = [];
  for (const [i, run] of concluded.entries()) {
    if (!run) continue;
    violations.push(...paymentViolations(run.status, ledger).map((x) => `payment ${i}: ${x}`));
    const handle = env.client.workflow.getHandle(paymentWorkflowId(run.request.terminalSn, run.request.clientSn));
    // Still waiting for a person (the gateway never settled): open, with a reason; otherwise closed.
    const open = (await handle.describe()).status.name === 'RUNNING';
    const final = open ? await env.payments.status(run.request) : ((await handle.result()) as PaymentStatus);
    if (open && !(final.state === 'NEEDS_ATTENTION' && final.escalation?.reason)) {
      violations.push(`payment ${i}: still open as ${final.state} without a reason`);
    }
    finals.push(final);
    const attribute = (await handle.describe()).typedSearchAttributes.get(PaymentStateKey);
    if (attribute !== final.state) violations.push(`payment ${i}: PaymentState ${attribute}, state ${final.state}`);
  }
  const mine = new Set(finals.map((f) => f.clientSn));
  // The books as they are now, after every workflow closed (not the snapshot taken at the conclusions).
  const books = reconcile(
    finals,
    ordersFromLedger(env.sim.ledger()).filter((o) => mine.has(o.clientSn)),
  );
  for (const d of books.discrepancies) {
    const final = finals.find((f) => f.clientSn === d.clientSn);
    const story = final?.calls.map((c) => `${c.operation}:${c.bizResultCode ?? c.errorCode ?? c.kind}`).join(' ');
    const resolved = final?.resolution ? ` resolved ${final.resolution.resolution} (${final.resolution.note})` : '';
    violations.push(`reconcile: ${d.kind} ${d.clientSn} (${d.state}, kept ${d.keptFen});${resolved} calls: ${story}`);
  }
  return { seed, payments: schedule.payments.length, faults: faultCount(schedule), violations };
}

function requestOf(env: FuzzEnv, clientSn: string): PaymentRequest {
  return {
    terminalSn: env.terminalSn,
    clientSn,
    amountFen: 1_000 + clientSn.length,
    dynamicId: '130818341921441147',
    subject: 'fuzz',
    operator: 'fuzz-cashier',
    timing: FUZZ_TIMING,
  };
}

/** Drives one payment through its plan; returns the state the saga concluded on its own. */
async function runPayment(env: FuzzEnv, plan: PaymentPlan, request: PaymentRequest): Promise<PaymentStatus> {
  env.sim.setScenario(request.clientSn, plan.scenario);
  const starts = [env.payments.pay(request, { waitMs: 30_000 })];
  if (plan.duplicateStart) starts.push(env.payments.pay(request, { waitMs: 30_000 }));
  const revokes: Promise<void>[] = [];
  if (plan.revoke?.when === 'early') {
    await env.payments.waitFor(request, () => true, { timeoutMs: 10_000, intervalMs: 50 }); // started
    revokes.push(revoke(env, plan, request));
  }
  await Promise.all(starts);
  if (plan.revoke?.when === 'late') revokes.push(revoke(env, plan, request));
  if (plan.revoke?.twice) revokes.push(revoke(env, plan, request));
  await Promise.all(revokes);
  const concluded = await waitForConclusion(env, request);
  await operatorResolves(env, request, concluded);
  return concluded;
}

/**
 * An operator reconciles each escalation with the gateway's books and records what the money did;
 * the saga checks that against the gateway at close and escalates again if it disagrees (an order
 * still in flight), so the operator may need a few tries.
 */
async function operatorResolves(env: FuzzEnv, request: PaymentRequest, concluded: PaymentStatus): Promise<void> {
  let status = concluded;
  for (let attempt = 0; status.state === 'NEEDS_ATTENTION' && attempt < 3; attempt++) {
    const order = env.sim.ledger().orders.find((o) => o.client_sn === request.clientSn);
    const resolution = (order?.kept_fen ?? 0) > 0 ? 'PAID' : order?.order_status === 'CANCELED' ? 'REVOKED' : 'FAILED';
    await env.payments.resolve(request, { operator: 'fuzz-ops', resolution, note: `attempt ${attempt + 1}` });
    status = await waitForConclusion(env, request, (s) => s.resolution?.note === `attempt ${attempt + 1}`);
  }
}

async function revoke(env: FuzzEnv, plan: PaymentPlan, request: PaymentRequest): Promise<void> {
  const ask = { operator: 'fuzz-ops', reason: 'fuzz' };
  try {
    if (plan.revoke?.via === 'update') await env.payments.revoke(request, ask);
    else await env.payments.revokeBySignal(request, ask);
  } catch (err) {
    if (!(err instanceof RevokeRejectedError)) throw err; // refused: a legitimate answer
  }
}

/** The workflow closed, or it waits for a person (after `since` holds, when given). */
async function waitForConclusion(
  env: FuzzEnv,
  request: PaymentRequest,
  since: (s: PaymentStatus) => boolean = () => true,
): Promise<PaymentStatus> {
  const handle = env.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = await env.payments.status(request);
    if (status.state === 'NEEDS_ATTENTION' && since(status)) return status;
    if ((await handle.describe()).status.name !== 'RUNNING') return (await handle.result()) as PaymentStatus;
    if (Date.now() > deadline) throw new Error(`still ${status.state} after 90 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs many schedules `concurrency` at a time, reporting each result as it comes. */
export async function runSchedules(
  env: FuzzEnv,
  seeds: number[],
  concurrency: number,
  onResult: (r: ScheduleResult) => void,
): Promise<ScheduleResult[]> {
  const results: ScheduleResult[] = [];
  const queue = [...seeds];
  const runTag = Date.now().toString(36);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        const result = await runSchedule(env, seed, `F${runTag}s${seed}p`);
        results.push(result);
        onResult(result);
      }
    }),
  );
  return results;
}

/** A schedule that hangs is a finding too (a caller waiting forever), not a stuck fuzz run. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
