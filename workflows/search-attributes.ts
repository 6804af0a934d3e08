import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes kept current by the saga, so operators can find payments in the Web UI
 * (e.g. `PaymentState="NEEDS_ATTENTION"`). The embedded dev server registers them at start; a real
 * cluster needs `temporal operator search-attribute create` (see README).
 */
export const PaymentStateKey = defineSearchAttributeKey('PaymentState', SearchAttributeType.KEYWORD);
export const ClientSnKey = defineSearchAttributeKey('ClientSn', SearchAttributeType.KEYWORD);
export const SnKey = defineSearchAttributeKey('Sn', SearchAttributeType.KEYWORD);
export const TerminalSnKey = defineSearchAttributeKey('TerminalSn', SearchAttributeType.KEYWORD);
export const AmountFenKey = defineSearchAttributeKey('AmountFen', SearchAttributeType.INT);
/** A refund's state (workflows/refund-types.ts RefundState); refunds also carry ClientSn, Sn and TerminalSn. */
export const RefundStateKey = defineSearchAttributeKey('RefundState', SearchAttributeType.KEYWORD);

/** Every custom search attribute the workflows use (payments and refunds): what a namespace must register. */
export const PAYMENT_SEARCH_ATTRIBUTES = [
  PaymentStateKey,
  ClientSnKey,
  SnKey,
  TerminalSnKey,
  AmountFenKey,
  RefundStateKey,
] as const;
