/** bench/results/latest.md: the topologies side by side, then the cashier's view, then the scale step. */
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/tuning';
import type { TillTimeline } from './history';
import type { Measured } from './measure';
import { CONCURRENCY, OPERATOR_CONCURRENCY } from './options';
import type { SuiteResult } from './suite';

const PATHS = ['floor', 'happy', 'cancel', 'revoke'] as const;

export function markdown(run: string, suites: SuiteResult[]): string {
  const names = suites.map((s) => s.topology).join(' / ');
  const cells = (f: (s: SuiteResult) => string | number) => suites.map(f).join(' / ');
  const lines = [
    ...suites.map(
      (s) =>
        `- ${s.topology}: ${s.describe}; suite ${s.seconds} s, load average ${s.load_avg.start} → ${s.load_avg.end}`,
    ),
    '',
    `| path (${run} run, ×${CONCURRENCY}; ${names}) | n | per s | p50 ms | p95 ms | p99 ms | history events | actions |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...PATHS.map((p) => {
      const m = (s: SuiteResult): Measured => s[p];
      return (
        `| ${p} | ${suites[0]![p].n} | ${cells((s) => m(s).throughput_per_s)} | ${cells((s) => m(s).p50_ms)} | ` +
        `${cells((s) => m(s).p95_ms)} | ${cells((s) => m(s).p99_ms)} | ${cells((s) => s.events[p] ?? '-')} | ${cells((s) => s.actions[p] ?? '-')} |`
      );
    }),
    '',
    ...suites.map(
      (s) =>
        `Happy vs floor on the ${s.topology}: throughput ×${s.ratios.happy_throughput_vs_floor}, p50 ×${s.ratios.happy_p50_vs_floor}.`,
    ),
    '',
    ...cashier(suites),
    ...suites.flatMap((s) => (s.scale ? scale(s) : [])),
  ];
  return `${lines.join('\n')}\n`;
}

function cashier(suites: SuiteResult[]): string[] {
  const n = suites[0]!.cashier.saga.n;
  const pp = (m: Measured) => `${m.p50_ms} / ${m.p99_ms}`;
  const signed = (x: number) => (x >= 0 ? `+${x}` : String(x));
  const header = `| one payment at a time (n ${n} each, interleaved) | ${suites.map((s) => `${s.topology} p50 / p99 ms`).join(' | ')} |`;
  const rule = `| --- | ${suites.map(() => '---').join(' | ')} |`;
  const row = (what: string, f: (s: SuiteResult) => string) => `| ${what} | ${suites.map(f).join(' | ')} |`;
  const tl = (what: string, k: Exclude<keyof TillTimeline, 'activity_ms'>) =>
    `| ${what} | ${suites.map((s) => `${s.cashier.timeline.floor[k]} / ${s.cashier.timeline.saga[k]}`).join(' | ')} |`;
  return [
    header,
    rule,
    row('floor: start → result (1 no-op activity)', (s) => pp(s.cashier.floor)),
    row('saga: start → PAID at the till', (s) => pp(s.cashier.saga)),
    row('bare gateway pay, from the worker process', (s) => pp(s.cashier.gateway_pay)),
    row('saga ÷ floor', (s) => `×${s.cashier.saga_vs_floor.p50} / ×${s.cashier.saga_vs_floor.p99}`),
    row(
      'saga − floor (ms)',
      (s) => `${signed(s.cashier.saga_minus_floor_ms.p50)} / ${signed(s.cashier.saga_minus_floor_ms.p99)}`,
    ),
    row(
      'saga − gateway pay (ms): all Temporal and the saga add',
      (s) => `${signed(s.cashier.saga_minus_gateway_ms.p50)} / ${signed(s.cashier.saga_minus_gateway_ms.p99)}`,
    ),
    row(
      'goal: ≤ 1.2× floor and ≤ +30 ms',
      (s) => `${s.cashier.goal.p50_met ? 'met' : 'not met'} / ${s.cashier.goal.p99_met ? 'met' : 'not met'}`,
    ),
    '',
    `| up to the till's answer, server clock (median of the last ${suites[0]!.cashier.timeline.of}) | ${suites.map((s) => `${s.topology}: floor / saga`).join(' | ')} |`,
    rule,
    tl('client: its wait − the server-side span below, ms', 'client_ms'),
    tl('started → answer (update completed / workflow completed), ms', 'span_ms'),
    tl('history events up to the answer', 'events'),
    tl('workflow tasks', 'workflow_tasks'),
    tl('workflow tasks: scheduled → picked up, ms (sum)', 'wft_queue_ms'),
    tl('workflow tasks: picked up → completed, ms (sum)', 'wft_run_ms'),
    tl('activities', 'activities'),
    tl('activities: scheduled → picked up, ms (sum)', 'activity_queue_ms'),
    tl('activities: picked up → completed, ms (sum)', 'activity_run_ms'),
    `| each activity: scheduled → completed, ms | ${suites
      .map((s) =>
        Object.entries({ ...s.cashier.timeline.floor.activity_ms, ...s.cashier.timeline.saga.activity_ms })
          .map(([type, ms]) => `${type} ${ms}`)
          .join(', '),
      )
      .join(' | ')} |`,
    '',
  ];
}

function scale(s: SuiteResult): string[] {
  const sc = s.scale!;
  return [
    `Scale on the ${s.topology}: ${sc.open_payments} open payments, worker RSS ${sc.worker_rss_mb} MB` +
      (sc.db_mb === null ? '' : `, database ${sc.db_mb} MB`) +
      `, revoke p50 ${sc.revoke_p50_ms} ms / p99 ${sc.revoke_p99_ms} ms at that load ` +
      `(concurrency ${CONCURRENCY}; p99 ${sc.revoke_operators_p99_ms} ms at ${OPERATOR_CONCURRENCY}).`,
    '',
    `| sticky cache (${s.topology}, ${sc.open_payments} open, all loaded) | worker RSS MB | V8 heap used MB | native MB | revoke p50 / p99 ms (×${CONCURRENCY}) | revoke p50 / p99 ms (×${OPERATOR_CONCURRENCY}) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...sc.sweep.map(
      (p) =>
        `| ${p.cache === 'default' ? `default (${DEFAULT_MAX_CACHED_WORKFLOWS})` : p.cache} | ${p.memory.rss_mb} | ${p.memory.heap_used_mb} | ${p.memory.native_mb} | ${p.revoke.p50_ms} / ${p.revoke.p99_ms} | ${p.revoke_operators.p50_ms} / ${p.revoke_operators.p99_ms} |`,
    ),
    '',
  ];
}
