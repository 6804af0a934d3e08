import { classify, type RawExchange } from '../../activities/gateway/classify';
import {
  BIZ_ERROR_CODES,
  BIZ_RESULT_CODES,
  ORDER_STATUSES,
  TOP_LEVEL_ERROR_CODES,
} from '../../activities/gateway/codes';
import type { GatewayOperation, OutcomeKind } from '../../workflows/types';
import { bizAnswer, order, topLevelAnswer } from '../helpers/envelopes';

type Row = [label: string, operation: GatewayOperation, exchange: RawExchange, expected: OutcomeKind];

const payRows: Row[] = [
  ['PAY_SUCCESS with PAID', 'pay', bizAnswer('PAY_SUCCESS', { data: order('PAID', { status: 'SUCCESS' }) }), 'success'],
  ['PAY_SUCCESS without data', 'pay', bizAnswer('PAY_SUCCESS'), 'success'],
  [
    'PAY_SUCCESS contradicted by order_status CREATED',
    'pay',
    bizAnswer('PAY_SUCCESS', { data: order('CREATED') }),
    'unknown',
  ],
  ['PAY_IN_PROGRESS with order_status PAID', 'pay', bizAnswer('PAY_IN_PROGRESS', { data: order('PAID') }), 'success'],
  [
    'PAY_FAIL EXPIRED_BARCODE',
    'pay',
    bizAnswer('PAY_FAIL', { error_code: 'EXPIRED_BARCODE', data: order('PAY_CANCELED') }),
    'definite_failure',
  ],
  ['PAY_FAIL contradicted by order_status PAID', 'pay', bizAnswer('PAY_FAIL', { data: order('PAID') }), 'unknown'],
  [
    'PAY_IN_PROGRESS',
    'pay',
    bizAnswer('PAY_IN_PROGRESS', { data: order('CREATED', { status: 'IN_PROG' }) }),
    'in_progress',
  ],
  ['PAY_FAIL_ERROR', 'pay', bizAnswer('PAY_FAIL_ERROR', { data: order('PAY_ERROR') }), 'unknown'],
  ['PAY_FAIL_IN_PROGRESS', 'pay', bizAnswer('PAY_FAIL_IN_PROGRESS'), 'unknown'],
  [
    'FAIL CLIENT_SN_CONFLICT (an order exists, state unknown)',
    'pay',
    bizAnswer('FAIL', { error_code: 'CLIENT_SN_CONFLICT' }),
    'unknown',
  ],
  [
    'FAIL (nothing happened)',
    'pay',
    bizAnswer('FAIL', { error_code: 'UPAY_STORE_OVER_DAILY_LIMIT' }),
    'definite_failure',
  ],
  ['an undocumented code', 'pay', bizAnswer('PAY_MAYBE'), 'unknown'],
  ['a SUCCESS code from the wrong endpoint without PAID', 'pay', bizAnswer('CANCEL_SUCCESS'), 'unknown'],
];

/** precreate is not called: its documented codes are not ours when they answer a pay. */
const precreateCodeRows: Row[] = (
  ['PRECREATE_SUCCESS', 'PRECREATE_FAIL', 'PRECREATE_FAIL_ERROR', 'PRECREATE_FAIL_IN_PROGRESS'] as const
).map((code): Row => [`${code} answering pay`, 'pay', bizAnswer(code), 'unknown']);

const queryStatusRows: Row[] = (
  [
    ['CREATED', 'in_progress'],
    ['PAID', 'success'],
    ['PAY_CANCELED', 'success'],
    ['PAY_ERROR', 'unknown'],
    ['REFUNDED', 'success'],
    ['PARTIAL_REFUNDED', 'success'],
    ['REFUND_INPROGRESS', 'in_progress'],
    ['REFUND_ERROR', 'unknown'],
    ['CANCELED', 'success'],
    ['CANCEL_ERROR', 'unknown'],
    ['CANCEL_INPROGRESS', 'in_progress'],
    ['INVALID_STATUS_CODE', 'unknown'],
    ['SOMETHING_NEW', 'unknown'],
  ] as const
).map(([status, kind]): Row => [
  `SUCCESS with order_status ${status}`,
  'query',
  bizAnswer('SUCCESS', { data: order(status) }),
  kind,
]);

const queryRows: Row[] = [
  ...queryStatusRows,
  [
    'FAIL UPAY_ORDER_NOT_EXISTS',
    'query',
    bizAnswer('FAIL', { error_code: 'UPAY_ORDER_NOT_EXISTS' }),
    'definite_failure',
  ],
  [
    'FAIL UPAY_ORDER_NOT_EXIST (EN spelling)',
    'query',
    bizAnswer('FAIL', { error_code: 'UPAY_ORDER_NOT_EXIST' }),
    'definite_failure',
  ],
  ['SUCCESS without data', 'query', bizAnswer('SUCCESS'), 'unknown'],
  ['FAIL for another reason', 'query', bizAnswer('FAIL', { error_code: 'UPAY_TERMINAL_STATUS_ABNORMAL' }), 'unknown'],
];

const reversalRows: Row[] = (['cancel', 'revoke'] as const).flatMap((op): Row[] => [
  [
    `${op} CANCEL_SUCCESS`,
    op,
    bizAnswer('CANCEL_SUCCESS', { data: order('CANCELED', { net_amount: '0' }) }),
    'success',
  ],
  [`${op} CANCEL_ABORT_SUCCESS`, op, bizAnswer('CANCEL_ABORT_SUCCESS', { data: order('PAY_CANCELED') }), 'success'],
  [`${op} CANCEL_IN_PROGRESS`, op, bizAnswer('CANCEL_IN_PROGRESS'), 'in_progress'],
  [`${op} CANCEL_ABORT_IN_PROGRESS`, op, bizAnswer('CANCEL_ABORT_IN_PROGRESS'), 'in_progress'],
  [`${op} CANCEL_ERROR`, op, bizAnswer('CANCEL_ERROR'), 'unknown'],
  [`${op} CANCEL_ABORT_ERROR`, op, bizAnswer('CANCEL_ABORT_ERROR'), 'unknown'],
  [
    `${op} CANCEL_ERROR UPAY_TCP_ORDER_NOT_REFUNDABLE`,
    op,
    bizAnswer('CANCEL_ERROR', { error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' }),
    'definite_failure',
  ],
  [
    `${op} FAIL UPAY_CANCEL_INVALID_ORDER_STATE`,
    op,
    bizAnswer('FAIL', { error_code: 'UPAY_CANCEL_INVALID_ORDER_STATE' }),
    'definite_failure',
  ],
  [
    `${op} FAIL UPAY_CANCEL_ORDER_NOOP (confirm by query)`,
    op,
    bizAnswer('FAIL', { error_code: 'UPAY_CANCEL_ORDER_NOOP' }),
    'unknown',
  ],
  [
    `${op} FAIL UPAY_ORDER_NOT_EXISTS`,
    op,
    bizAnswer('FAIL', { error_code: 'UPAY_ORDER_NOT_EXISTS' }),
    'definite_failure',
  ],
  [
    `${op} FAIL SELLER_BALANCE_NOT_ENOUGH`,
    op,
    bizAnswer('FAIL', { error_code: 'SELLER_BALANCE_NOT_ENOUGH' }),
    'definite_failure',
  ],
  [`${op} undocumented code`, op, bizAnswer('CANCEL_PERHAPS'), 'unknown'],
]);

const refundRows: Row[] = [
  ['REFUND_SUCCESS', 'refund', bizAnswer('REFUND_SUCCESS', { data: order('REFUNDED') }), 'success'],
  ['REFUND_IN_PROGRESS', 'refund', bizAnswer('REFUND_IN_PROGRESS'), 'in_progress'],
  ['REFUND_ERROR', 'refund', bizAnswer('REFUND_ERROR'), 'unknown'],
  ['REFUND_FAIL', 'refund', bizAnswer('REFUND_FAIL'), 'definite_failure'],
  [
    'FAIL REFUNDABLE_AMOUNT_NOT_ENOUGH',
    'refund',
    bizAnswer('FAIL', { error_code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' }),
    'definite_failure',
  ],
  [
    'FAIL UPAY_REFUND_INVALID_ORDER_STATE',
    'refund',
    bizAnswer('FAIL', { error_code: 'UPAY_REFUND_INVALID_ORDER_STATE' }),
    'definite_failure',
  ],
  [
    'FAIL UPAY_REFUND_ORDER_NOOP (confirm by query)',
    'refund',
    bizAnswer('FAIL', { error_code: 'UPAY_REFUND_ORDER_NOOP' }),
    'unknown',
  ],
];

/** Every top-level code on every operation: 400 is definite (nothing happened) except ILLEGAL_SIGN; 500 is unknown. */
const topLevelRows: Row[] = (['pay', 'query', 'cancel', 'revoke'] as const).flatMap((op) => [
  ...TOP_LEVEL_ERROR_CODES['400'].map((code): Row => [
    `${op} top-level 400 ${code}`,
    op,
    topLevelAnswer('400', code),
    code === 'ILLEGAL_SIGN' ? 'unknown' : 'definite_failure',
  ]),
  ...TOP_LEVEL_ERROR_CODES['500'].map((code): Row => [
    `${op} top-level 500 ${code}`,
    op,
    topLevelAnswer('500', code),
    'unknown',
  ]),
]);

/** Business error codes of the pay family: PAY_FAIL + code is a definite failure, PAY_FAIL_ERROR + code is unknown. */
const payErrorCodeRows: Row[] = BIZ_ERROR_CODES.flatMap((code): Row[] => [
  [
    `PAY_FAIL ${code}`,
    'pay',
    bizAnswer('PAY_FAIL', { error_code: code, data: order('PAY_CANCELED') }),
    'definite_failure',
  ],
  [`PAY_FAIL_ERROR ${code}`, 'pay', bizAnswer('PAY_FAIL_ERROR', { error_code: code }), 'unknown'],
]);

const faultRows: Row[] = (['pay', 'query', 'cancel', 'revoke'] as const).flatMap((op): Row[] => [
  [`${op} connection refused`, op, { kind: 'transport', code: 'ECONNREFUSED' }, 'unknown'],
  [`${op} connection reset`, op, { kind: 'transport', code: 'ECONNRESET' }, 'unknown'],
  [`${op} headers timeout`, op, { kind: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' }, 'unknown'],
  [`${op} body timeout`, op, { kind: 'transport', code: 'UND_ERR_BODY_TIMEOUT' }, 'unknown'],
  [
    `${op} HTML error page`,
    op,
    { kind: 'http', status: 502, body: '<html><body>Bad Gateway</body></html>' },
    'unknown',
  ],
  [
    `${op} truncated JSON`,
    op,
    { kind: 'http', status: 200, body: '{"result_code":"200","biz_response":{"result_co' },
    'unknown',
  ],
  [`${op} JSON array`, op, { kind: 'http', status: 200, body: '[]' }, 'unknown'],
  [`${op} result_code as a number`, op, { kind: 'http', status: 200, body: '{"result_code":200}' }, 'unknown'],
  [`${op} 200 without biz_response`, op, { kind: 'http', status: 200, body: '{"result_code":"200"}' }, 'unknown'],
  [
    `${op} amount as a number`,
    op,
    {
      kind: 'http',
      status: 200,
      body: JSON.stringify({
        result_code: '200',
        biz_response: { result_code: 'PAY_SUCCESS', data: { ...order('PAID'), total_amount: 100 } },
      }),
    },
    'unknown',
  ],
  [
    `${op} data without order_status`,
    op,
    {
      kind: 'http',
      status: 200,
      body: JSON.stringify({
        result_code: '200',
        biz_response: { result_code: 'PAY_SUCCESS', data: { sn: '1', client_sn: 'c' } },
      }),
    },
    'unknown',
  ],
  [
    `${op} success answer behind HTTP 503`,
    op,
    {
      kind: 'http',
      status: 503,
      body: JSON.stringify({ result_code: '200', biz_response: { result_code: 'CANCEL_SUCCESS' } }),
    },
    'unknown',
  ],
]);

const ALL_ROWS = [
  ...payRows,
  ...precreateCodeRows,
  ...queryRows,
  ...reversalRows,
  ...refundRows,
  ...topLevelRows,
  ...payErrorCodeRows,
  ...faultRows,
];

describe('classify', () => {
  it.each(ALL_ROWS)('%s (%s) is %s', (_label, operation, exchange, expected) => {
    expect(classify(operation, exchange).kind).toBe(expected);
  });

  it('never calls anything success unless it is PAY_SUCCESS or order_status PAID on pay', () => {
    for (const [, operation, exchange] of ALL_ROWS.filter((row) => row[1] === 'pay')) {
      const result = classify(operation, exchange);
      if (result.kind === 'success')
        expect(result.bizResultCode === 'PAY_SUCCESS' || result.order?.orderStatus === 'PAID').toBe(true);
    }
  });

  it('keeps the order snapshot, codes and message of a business answer', () => {
    const result = classify(
      'pay',
      bizAnswer('PAY_FAIL', {
        error_code: 'EXPIRED_BARCODE',
        data: order('PAY_CANCELED', { net_amount: '100', finish_time: '1449569494595' }),
      }),
    );
    expect(result).toMatchObject({
      operation: 'pay',
      kind: 'definite_failure',
      httpStatus: 200,
      resultCode: '200',
      bizResultCode: 'PAY_FAIL',
      errorCode: 'EXPIRED_BARCODE',
      order: {
        sn: '7894259244067349',
        clientSn: 'ORDER-0001',
        orderStatus: 'PAY_CANCELED',
        totalAmountFen: 100,
        netAmountFen: 100,
        finishTime: 1449569494595,
      },
    });
  });

  it('names the transport error code for a network failure', () => {
    expect(classify('pay', { kind: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' })).toEqual({
      operation: 'pay',
      kind: 'unknown',
      reason: 'transport UND_ERR_HEADERS_TIMEOUT',
      transportError: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });

  describe('covers every code of the reference', () => {
    const text = JSON.stringify(ALL_ROWS.map(([, , exchange]) => exchange));
    it.each([...BIZ_RESULT_CODES])('business result code %s', (code) =>
      expect(text).toContain(`"result_code\\":\\"${code}\\"`),
    );
    it.each([...ORDER_STATUSES])('order_status %s', (status) =>
      expect(text).toContain(`"order_status\\":\\"${status}\\"`),
    );
    it.each([...BIZ_ERROR_CODES, ...TOP_LEVEL_ERROR_CODES['400'], ...TOP_LEVEL_ERROR_CODES['500']])(
      'error code %s',
      (code) => expect(text).toContain(`"error_code\\":\\"${code}\\"`),
    );
  });
});
