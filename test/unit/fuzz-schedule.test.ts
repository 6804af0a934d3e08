import { createHash } from 'node:crypto';
import { parseScenario } from '../../simulator';
import {
  FUZZ_REQUEST_DOUBT_MS,
  WITHIN_DOUBT_MAX_MS,
  beyondDoubt,
  effectDelaysOf,
  knobsOf,
  scheduleOf,
} from '../fuzz/schedule';
import type { RefundStep } from '../../simulator';

/** Generator 2's payments (generator 3 draws the same knobs, less often: its own tests are below). */
const plans = Array.from({ length: 400 }, (_, i) => scheduleOf(i + 1, 2)).flatMap((s) => s.payments);

/** The generator draws what the simulator can do, in a form it accepts, at rates that test something. */
describe('fuzz schedule generator', () => {
  it('draws only scenarios the simulator accepts as JSON, unchanged by its validation', () => {
    for (const { scenario } of plans) expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });

  it('draws every unfriendly knob of the simulator, in some but not all payments', () => {
    const tally = new Map<string, number>();
    for (const knob of plans.flatMap(knobsOf)) tally.set(knob, (tally.get(knob) ?? 0) + 1);
    const everyKnob = [
      'slow cancel',
      'slow revoke',
      'CANCEL_INPROGRESS meanwhile',
      'refusals while a reversal is pending',
      'customer pays as the cancel arrives',
      'late pay',
      'late cancel',
      'late revoke',
      'existing order under the client_sn',
      'answers echo another order',
      'unlisted code: pay',
      'unlisted code: query',
      'unlisted code: cancel',
      'unlisted code: revoke',
      'effect within doubt',
      'effect beyond doubt',
    ];
    const rare = everyKnob.filter((knob) => (tally.get(knob) ?? 0) < plans.length / 50);
    expect(rare).toEqual([]);
    expect(plans.filter((p) => knobsOf(p).length === 0).length).toBeGreaterThan(0);
  });

  it('draws delayed effects well within the doubt window, sometimes well beyond it, never on its edge', () => {
    const delays = plans.flatMap((p) => effectDelaysOf(p.scenario));
    expect(delays.every((d) => d <= WITHIN_DOUBT_MAX_MS || d > FUZZ_REQUEST_DOUBT_MS + 250)).toBe(true);
    const beyond = plans.filter((p) => beyondDoubt(p)).length;
    const within = plans.filter((p) => effectDelaysOf(p.scenario).length > 0 && !beyondDoubt(p)).length;
    expect(beyond).toBeGreaterThan(0);
    expect(within).toBeGreaterThan(2 * beyond);
  });

  it('keeps every seed of generator 1 as it was (the seed ledger replays them)', () => {
    const hash = (seed: number) =>
      createHash('sha256')
        .update(JSON.stringify(scheduleOf(seed, 1)))
        .digest('hex')
        .slice(0, 16);
    expect([58, 89, 165, 1898, 2564].map(hash)).toEqual([
      'f4a1b2d1a90f550d',
      '73f192efa532b984',
      '6c1e89e79c289c39',
      '6803bd193177ebbe',
      'f3430d56bdca71bf',
    ]);
  });

  it('keeps every seed of generator 2 as it was', () => {
    const hash = (seed: number) =>
      createHash('sha256')
        .update(JSON.stringify(scheduleOf(seed, 2)))
        .digest('hex')
        .slice(0, 16);
    expect([34, 47, 108, 1049, 2955].map(hash)).toEqual(GENERATOR_2_HASHES);
  });
});

/** Hashes of generator 2's ledger seeds 34, 47, 108, 1049, 2955 as drawn before generator 3 was added. */
const GENERATOR_2_HASHES = [
  'a24f29dca8317f0d',
  'fedd79654eed7e1e',
  '1a188585d3be4d72',
  '486a5dccf1a94a90',
  'd35764fbf39e42a8',
];

describe('fuzz schedule generator 3 (refunds)', () => {
  const plans3 = Array.from({ length: 400 }, (_, i) => scheduleOf(i + 1, 3)).flatMap((s) => s.payments);
  const steps = plans3.flatMap((p) => p.scenario.refund ?? []);

  it('draws only scenarios the simulator accepts as JSON, unchanged by its validation', () => {
    for (const { scenario } of plans3) expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });

  it('gives every payment refund knobs and a refund plan: several refunds, partial and full, concurrent, repeated', () => {
    expect(plans3.every((p) => (p.scenario.refund?.length ?? 0) > 0 && (p.refunds?.asks.length ?? 0) > 0)).toBe(true);
    const asks = plans3.map((p) => p.refunds!.asks);
    const some = (f: (a: (typeof asks)[number]) => boolean) => asks.filter(f).length;
    expect(some((a) => new Set(a.map((x) => x.no)).size > 1)).toBeGreaterThan(plans3.length / 4);
    expect(some((a) => a.some((x) => x.amount === 'all'))).toBeGreaterThan(plans3.length / 10);
    expect(some((a) => a.some((x) => x.amount !== 'all'))).toBeGreaterThan(plans3.length / 2);
    expect(some((a) => a.filter((x) => x.afterMs === 0).length > 1)).toBeGreaterThan(plans3.length / 10);
    expect(some((a) => a.length > new Set(a.map((x) => x.no)).size)).toBeGreaterThan(plans3.length / 10);
    // Most payments are meant to end PAID (no revoke), so their refunds run.
    expect(plans3.filter((p) => !p.revoke).length).toBeGreaterThan(plans3.length / 2);
  });

  it('draws every refund knob, and never a success answer for a refund that fails (a lie)', () => {
    const tally = new Map<string, number>();
    for (const knob of plans3.flatMap(knobsOf)) tally.set(knob, (tally.get(knob) ?? 0) + 1);
    const everyKnob = [
      'slow refund',
      'slow refund, REFUND_INPROGRESS meanwhile',
      'slow refund, REFUND_ERROR meanwhile',
      'late refund',
      'held refund',
      'unlisted code: refund',
      'refund answer lost (done)',
      'refund answer lost (not done)',
      'refund: forced REFUND_ERROR',
      'refund: forced REFUND_IN_PROGRESS',
      'refund: forced REFUND_FAIL',
      'refund: forced REFUND_FAIL REFUNDABLE_AMOUNT_NOT_ENOUGH',
      'refund repeat answered NOOP',
    ];
    expect(everyKnob.filter((knob) => (tally.get(knob) ?? 0) < plans3.length / 100)).toEqual([]);
    const slow = steps.filter((s): s is Extract<RefundStep, { effectAfterMs?: number }> => {
      return typeof s === 'object' && !['odd', 'lateMs', 'holdMs', 'fault', 'answer'].some((k) => k in s);
    });
    const replyOf = (s: (typeof slow)[number]) => s.reply ?? (s.effectAfterMs ? 'in-progress' : 'success');
    expect(slow.filter((s) => s.outcome === 'failed').length).toBeGreaterThan(0);
    expect(slow.filter((s) => replyOf(s) === 'success' && s.outcome === 'failed')).toEqual([]);
    expect(slow.filter((s) => replyOf(s) === 'success').length).toBeGreaterThan(0);
  });

  it('keeps refund effects within the doubt window and draws no hanging refund answer', () => {
    for (const p of plans3) {
      for (const d of effectDelaysOf(p.scenario)) {
        expect(d <= WITHIN_DOUBT_MAX_MS || d > FUZZ_REQUEST_DOUBT_MS + 250).toBe(true);
      }
    }
    const text = JSON.stringify(steps);
    expect(text).not.toMatch(/"hang"/);
  });
});
