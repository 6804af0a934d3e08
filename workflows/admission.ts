import { patched, proxyLocalActivities } from '@temporalio/workflow';
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

const { admitPayment } = proxyLocalActivities<AdmissionActivities>({ startToCloseTimeout: '10 seconds' });

/** Which rules the payment runs under: asked first thing, before any command, and never again. */
export function rulesOfThisRun(): SagaRules {
  return patched(MONEY_RULES) ? 'money-rules' : 'legacy';
}

/**
 * Whether the request may run, and the timing it will use. Under the money rules both come from a
 * local activity, so they are recorded in history and a later change of a rule or a default cannot
 * change a payment in flight (R8). Legacy payments were checked here, with the shape rules they
 * started under and no bounds.
 */
export async function admit(request: PaymentRequest, startedAt: number, rules: SagaRules): Promise<Admission> {
  if (rules === 'money-rules') return admitPayment({ request, startedAt });
  const problems = validatePaymentRequest(request);
  if (problems.length > 0) return { admitted: false, problems };
  return { admitted: true, timing: resolveTiming(request.timing, startedAt, 'legacy') };
}
