/**
 * What a cashier feels: payments one at a time (concurrency 1), start → outcome at the till, beside the
 * floor one at a time and beside the bare gateway pay timed inside the payment worker's process. The three
 * are interleaved in rounds, so load from anything else on the machine falls on all three alike.
 */
import type { Client } from '@temporalio/client';
import type { PaymentsClient } from '../client/payments-client';
import { paymentWorkflowId, type PaymentRequest } from '../workflows/types';
import { answerPath, historyOf, medianTimeline, tillTimeline, type TillTimeline } from './history';
import { Sampler, type Measured } from './measure';
import { why } from './why';
import type { BenchWorker } from './worker-process';

export interface CashierView {
  /** The floor workflow (one no-op activity), start → result, one at a time. */
  floor: Measured;
  /** `PaymentsClient.pay` → PAID, one at a time: what the till waits. */
  saga: Measured;
  /** The gateway's pay call alone, from the payment worker's process. */
  gateway_pay: Measured;
  saga_vs_floor: { p50: number; p99: number };
  saga_minus_floor_ms: { p50: number; p99: number };
  /** The saga's wait minus the gateway's own answer: all that Temporal and the saga add per payment. */
  saga_minus_gateway_ms: { p50: number; p99: number };
  /** The goal at p50 and at p99: within 1.2× the floor and within 30 ms of it. */
  goal: { p50_met: boolean; p99_met: boolean };
  /** Median server-side timeline up to the till's answer, over the last `timeline_of` of each. */
  timeline: { of: number; floor: TillTimeline; saga: TillTimeline };
  /** The last payment's history up to the till's answer, event types without EVENT_TYPE_ (and the floor's). */
  answer_path: { floor: string[]; saga: string[] };
}

const ROUND = 10;
const TIMELINES = 40;

export async function cashierView(opts: {
  n: number;
  client: Client;
  payments: PaymentsClient;
  paymentWorker: BenchWorker;
  floorTaskQueue: string;
  request: () => PaymentRequest;
  tag: string;
}): Promise<CashierView> {
  const { client, payments } = opts;
  const floorIds: string[] = [];
  const sagaIds: string[] = [];
  const floorOnce = async () => {
    const workflowId = `cashier-floor-${opts.tag}-${floorIds.length}`;
    floorIds.push(workflowId);
    await client.workflow.execute('floorWorkflow', { taskQueue: opts.floorTaskQueue, workflowId });
  };
  const sagaOnce = async () => {
    const r = opts.request();
    sagaIds.push(paymentWorkflowId(r.terminalSn, r.clientSn));
    const { status } = await payments.pay(r);
    if (status.state !== 'PAID') throw new Error(`cashier: expected PAID, got ${status.state} (${why(status)})`);
  };
  // Warm: one at a time is where a cold connection or cache shows most.
  await new Sampler().run(ROUND, floorOnce);
  await new Sampler().run(ROUND, sagaOnce);
  await opts.paymentWorker.gatewayPay(0, ROUND);
  floorIds.length = 0;
  sagaIds.length = 0;

  const floor = new Sampler();
  const saga = new Sampler();
  const gateway = new Sampler();
  for (let done = 0; done < opts.n; done += ROUND) {
    const k = Math.min(ROUND, opts.n - done);
    await floor.run(k, floorOnce);
    await saga.run(k, sagaOnce);
    gateway.add(await opts.paymentWorker.gatewayPay(k));
  }
  const timelines = async (ids: string[], sampler: Sampler) => {
    const from = Math.max(0, ids.length - TIMELINES);
    return medianTimeline(
      await Promise.all(
        ids.slice(from).map(async (id, i) => tillTimeline(await historyOf(client, id), sampler.latencies[from + i]!)),
      ),
    );
  };
  const view = { floor: floor.result(), saga: saga.result(), gateway_pay: gateway.result() };
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const p50 = { ratio: ratio(view.saga.p50_ms, view.floor.p50_ms), diff: view.saga.p50_ms - view.floor.p50_ms };
  const p99 = { ratio: ratio(view.saga.p99_ms, view.floor.p99_ms), diff: view.saga.p99_ms - view.floor.p99_ms };
  return {
    ...view,
    saga_vs_floor: { p50: p50.ratio, p99: p99.ratio },
    saga_minus_floor_ms: { p50: p50.diff, p99: p99.diff },
    saga_minus_gateway_ms: {
      p50: view.saga.p50_ms - view.gateway_pay.p50_ms,
      p99: view.saga.p99_ms - view.gateway_pay.p99_ms,
    },
    goal: { p50_met: p50.ratio <= 1.2 && p50.diff <= 30, p99_met: p99.ratio <= 1.2 && p99.diff <= 30 },
    timeline: {
      of: Math.min(TIMELINES, sagaIds.length),
      floor: await timelines(floorIds, floor),
      saga: await timelines(sagaIds, saga),
    },
    answer_path: {
      floor: answerPath(await historyOf(client, floorIds.at(-1)!)),
      saga: answerPath(await historyOf(client, sagaIds.at(-1)!)),
    },
  };
}
