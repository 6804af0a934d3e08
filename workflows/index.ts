// Entry point of the workflow bundle (workflowsPath): every workflow the worker runs.
export { paymentSaga } from './payment-saga';
export { terminalCheckin } from './terminal-checkin';
export { refundSaga } from './refund-saga';
