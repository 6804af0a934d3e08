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

const plans = Array.from({ length: 400 }, (_, i) => scheduleOf(i + 1)).flatMap((s) => s.payments);

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
});
