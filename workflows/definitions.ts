import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  PaymentStatus,
  RecheckRecord,
  RecheckRequest,
  RefundNotice,
  ResolveRequest,
  RevokeRequest,
  RevokeResult,
} from './types';

/** The whole state of a payment. */
export const statusQuery = defineQuery<PaymentStatus>('status');

/** Operator's revoke (手动撤单) from the Web UI: one JSON object `{ "operator", "reason" }`. */
export const revokeSignal = defineSignal<[RevokeRequest]>('revoke');

/** Revoke for programs: rejected up front when not allowed, else returns the revoke's result. */
export const revokeUpdate = defineUpdate<RevokeResult, [RevokeRequest]>('revoke');

/** Operator's decision on a NEEDS_ATTENTION payment. */
export const resolveSignal = defineSignal<[ResolveRequest]>('resolve');

/** Early return: completes as soon as the pay outcome is known (PAID, FAILED, CANCELED, NEEDS_ATTENTION). */
export const outcomeUpdate = defineUpdate<PaymentStatus>('outcome');

/** Operator's "the customer says the money moved": query the gateway now and act on the answer. `{ "operator", "note" }`. */
export const recheckSignal = defineSignal<[RecheckRequest]>('recheck');

/** Recheck for programs: returns what the query found and what the saga did with it. */
export const recheckUpdate = defineUpdate<RecheckRecord, [RecheckRequest]>('recheck');

/**
 * A refund of this order, told by its refund workflow (issue #16 part 3): after its look (REFUNDING,
 * before anything is sent) and when it concludes. `{ "refundRequestNo", "amountFen", "state" }`.
 */
export const refundRecordedSignal = defineSignal<[RefundNotice]>('refundRecorded');
