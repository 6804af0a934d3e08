/**
 * Every code the upay v2 reference documents. The lists live in the shared contract
 * (workflows/vocabulary.ts) so the classifier and the saga's decisions read the same ones.
 */
export {
  BIZ_ERROR_CODES,
  BIZ_RESULT_CODES,
  FINAL_ORDER_STATUSES,
  MOVING_ORDER_STATUSES,
  ORDER_STATUSES,
  PAY_DEFINITE_FAILURE_CODES,
  REFUND_REFUSAL_CODES,
  REVERSAL_REFUSAL_CODES,
  TOP_LEVEL_ERROR_CODES,
  isOrderNotFound,
} from '../../workflows/vocabulary';
