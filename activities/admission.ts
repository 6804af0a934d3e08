import { resolveTiming } from '../workflows/timing';
import type { PaymentRequest, ResolvedTiming } from '../workflows/types';
import { checkTimingBounds, validatePaymentRequest, type FieldProblem } from '../workflows/validation';

export interface AdmissionInput {
  request: PaymentRequest;
  /** The workflow's start time: deadlines and the business day count from it. */
  startedAt: number;
}

/** A payment the saga may run, with the timing it will use; or every problem of its request. */
export type Admission = { admitted: true; timing: ResolvedTiming } | { admitted: false; problems: FieldProblem[] };

/**
 * Checks a payment request and resolves its timing, as an activity: its answer is recorded in
 * the workflow's history, so a later change of a validation rule or a default timing changes new
 * payments only and never the replay of one in flight (money rules R8). Pure; nothing is sent.
 */
export function admitPayment({ request, startedAt }: AdmissionInput): Promise<Admission> {
  const problems = validatePaymentRequest(request);
  if (problems.length === 0) problems.push(...checkTimingBounds(request.timing, startedAt));
  if (problems.length > 0) return Promise.resolve({ admitted: false, problems });
  return Promise.resolve({ admitted: true, timing: resolveTiming(request.timing, startedAt) });
}

export type AdmissionActivities = { admitPayment: typeof admitPayment };
