import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RefundResolveRequest, RefundStatus } from './refund-types';

/** The whole state of a refund (the Web UI's Queries tab). */
export const refundStatusQuery = defineQuery<RefundStatus>('status');

/** Operator's decision on a NEEDS_ATTENTION refund from the Web UI: `{"operator","resolution","note","reference"}`. */
export const refundResolveSignal = defineSignal<[RefundResolveRequest]>('resolve');

/** The same for programs: rejected up front when not allowed, else returns the refund's status once applied. */
export const refundResolveUpdate = defineUpdate<RefundStatus, [RefundResolveRequest]>('resolve');

/** Early return: completes once the refund has its outcome (REFUNDED, REFUSED or NEEDS_ATTENTION). */
export const refundOutcomeUpdate = defineUpdate<RefundStatus>('outcome');
