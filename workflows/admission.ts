import { patched, proxyActivities } from '@temporalio/workflow';
import type { Admission, AdmissionActivities } from '../activities/admission';
import { resolveTiming } from './timing';
import type { SagaRules } from './transitions';
import type { PaymentRequest } from './types';
import { validatePaymentRequest } from './validation';

/**
 * Patch id of the money rules (../shared/spec/money-rules.md, 2026-12-02): R1 only our own order
 * counts, R2 compensation finishes what it starts, R3 a refusal proves nothing while an attempt is
 * in doubt, R4 unknown is not a refusal, R5 the pay send deadline, R7 a resolution for every gateway
 * state, R8 admission recorded in history. Asked once, first thing: a payment runs wholly under the
 * rules it started with (transitions.ts SagaRules).
 */
export const MONEY_RULES = 'money-rules';

/**
 * An ordinary activity, not a local one: a local activity holds its run in the worker's sticky cache
 * while it runs, and with a small cache (WORKER_MAX_CACHED_WORKFLOWS 0 or a few) workflow tasks stall
 * behind it until they time out. Pure and quick, so a few retries cover a worker lost mid-way.
 */
const { admitPayment } = proxyActivities<AdmissionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, initialInterval: '200 milliseconds' },
});

/** Which rules the payment runs under: asked first thing, before any command, and never again. */
export function rulesOfThisRun(): SagaRules {
  return patched(MONEY_RULES) ? 'money-rules' : 'legacy';
}

/**
 * Whether the request may run, and the timing it will use. Under the money rules both come from an
 * activity, so they are recorded in history and a later change of a rule or a default cannot
 * change a payment in flight (R8). Legacy payments were checked here, with the shape rules they
 * started under and no bounds.
 */
export async function admit(request: PaymentRequest, startedAt: number, rules: SagaRules): Promise<Admission> {
  if (rules === 'money-rules') return admitPayment({ request, startedAt });
  const problems = validatePaymentRequest(request, { terminalSnDigitsOnly: false }); // as legacy payments ran
  if (problems.length > 0) return { admitted: false, problems };
  return { admitted: true, timing: resolveTiming(request.timing, startedAt, 'legacy') };
}
