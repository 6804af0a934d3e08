import { classify, type RawExchange } from '../../activities/gateway/classify';
import {
  BIZ_ERROR_CODES,
  BIZ_RESULT_CODES,
  ORDER_STATUSES,
  PAY_DEFINITE_FAILURE_CODES,
  REFUND_REFUSAL_CODES,
  REVERSAL_REFUSAL_CODES,
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
  ['FAIL with no error code', 'pay', bizAnswer('FAIL'), 'unknown'],
  ['FAIL with an unlisted error code', 'pay', bizAnswer('FAIL', { error_code: 'UPAY_SIM_UNLISTED' }), 'unknown'],
  [
    'PAY_FAIL with an unlisted error code',
    'pay',
    bizAnswer('PAY_FAIL', { error_code: 'UPAY_SIM_UNLISTED', data: order('PAY_CANCELED') }),
    'unknown',
  ],
  ['PAY_FAIL with no error code', 'pay', bizAnswer('PAY_FAIL', { data: order('PAY_CANCELED') }), 'definite_failure'],
  ['FAIL TRADE_HAS_SUCCESS ("already paid")', 'pay', bizAnswer('FAIL', { error_code: 'TRADE_HAS_SUCCESS' }), 'unknown'],
  [
    'PAY_SUCCESS with an unlisted error code',
    'pay',
    bizAnswer('PAY_SUCCESS', { error_code: 'UPAY_SIM_UNLISTED', data: order('PAID') }),
    'unknown',
  ],
  ['an undocumented code', 'pay', bizAnswer('PAY_MAYBE'), 'unknown'],
  [
    'an undocumented code with a listed error code',
    'pay',
    bizAnswer('PAY_WEIRD', { error_code: 'EXPIRED_BARCODE' }),
    'unknown',
  ],
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
  ['FAIL with no error code', 'query', bizAnswer('FAIL'), 'unknown'],
  ['FAIL with an unlisted error code', 'query', bizAnswer('FAIL', { error_code: 'UPAY_SIM_UNLISTED' }), 'unknown'],
  ['an undocumented code with PAID', 'query', bizAnswer('QUERY_WEIRD', { data: order('PAID') }), 'unknown'],
  [
    'SUCCESS PAID with an unlisted error code',
    'query',
    bizAnswer('SUCCESS', { error_code: 'UPAY_SIM_UNLISTED', data: order('PAID') }),
    'unknown',
  ],
  [
    'SUCCESS PAY_CANCELED with TRADE_TIMEOUT (listed)',
    'query',
    bizAnswer('SUCCESS', { error_code: 'TRADE_TIMEOUT', data: order('PAY_CANCELED') }),
    'success',
  ],
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
  [
    `${op} CANCEL_ERROR SELLER_BALANCE_NOT_ENOUGH`,
    op,
    bizAnswer('CANCEL_ERROR', { error_code: 'SELLER_BALANCE_NOT_ENOUGH' }),
    'definite_failure',
  ],
  [
    `${op} FAIL UPAY_TERMINAL_NOT_EXISTS`,
    op,
    bizAnswer('FAIL', { error_code: 'UPAY_TERMINAL_NOT_EXISTS' }),
    'definite_failure',
  ],
  [`${op} undocumented code`, op, bizAnswer('CANCEL_PERHAPS'), 'unknown'],
  // money-rules R4: unknown is not a refusal.
  [`${op} FAIL with no error code`, op, bizAnswer('FAIL'), 'unknown'],
  [`${op} FAIL with an unlisted error code`, op, bizAnswer('FAIL', { error_code: 'UPAY_SIM_UNLISTED' }), 'unknown'],
  [
    `${op} CANCEL_ERROR with an unlisted error code`,
    op,
    bizAnswer('CANCEL_ERROR', { error_code: 'UPAY_SIM_UNLISTED' }),
    'unknown',
  ],
  [`${op} FAIL TRADE_FAILED (listed, not a refusal)`, op, bizAnswer('FAIL', { error_code: 'TRADE_FAILED' }), 'unknown'],
  [
    `${op} an undocumented code with a refusal code`,
    op,
    bizAnswer('CANCEL_WEIRD', { error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' }),
    'unknown',
  ],
  [
    `${op} CANCEL_ABORT_ERROR with a refusal code`,
    op,
    bizAnswer('CANCEL_ABORT_ERROR', { error_code: 'UPAY_CANCEL_INVALID_ORDER_STATE' }),
    'unknown',
  ],
  [
    `${op} CANCEL_SUCCESS with an unlisted error code`,
    op,
    bizAnswer('CANCEL_SUCCESS', { error_code: 'UPAY_SIM_UNLISTED', data: order('CANCELED') }),
    'unknown',
  ],
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
  ['FAIL with no error code', 'refund', bizAnswer('FAIL'), 'unknown'],
  ['FAIL with an unlisted error code', 'refund', bizAnswer('FAIL', { error_code: 'UPAY_SIM_UNLISTED' }), 'unknown'],
  [
    'REFUND_FAIL with an unlisted error code',
    'refund',
    bizAnswer('REFUND_FAIL', { error_code: 'UPAY_SIM_UNLISTED' }),
    'unknown',
  ],
  [
    'REFUND_FAIL REFUNDABLE_AMOUNT_NOT_ENOUGH',
    'refund',
    bizAnswer('REFUND_FAIL', { error_code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' }),
    'definite_failure',
  ],
  ['an undocumented code', 'refund', bizAnswer('REFUND_FAIL_ERROR'), 'unknown'],
];

/**
 * Every top-level code on every operation: 400 with a listed code is definite (nothing happened) except
 * ILLEGAL_SIGN; 400 with an unlisted code or none, 500 and anything else are unknown.
 */
const topLevelRows: Row[] = (['pay', 'query', 'cancel', 'revoke', 'refund'] as const).flatMap((op) => [
  [`${op} top-level 400 with an unlisted code`, op, topLevelAnswer('400', 'UPAY_SIM_UNLISTED'), 'unknown'],
  [
    `${op} top-level 400 with no code`,
    op,
    { kind: 'http', status: 200, body: JSON.stringify({ result_code: '400' }) },
    'unknown',
  ],
  [
    `${op} top-level 503`,
    op,
    { kind: 'http', status: 200, body: JSON.stringify({ result_code: '503', error_code: 'UPAY_SIM_UNLISTED' }) },
    'unknown',
  ],
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

const isIn = (list: readonly string[], code: string) => list.includes(code);

/**
 * Every listed business error code on pay: PAY_FAIL or FAIL with a pay failure code the reference lists
 * is a definite failure, with any other code unknown; PAY_FAIL_ERROR with any code is unknown.
 */
const payErrorCodeRows: Row[] = BIZ_ERROR_CODES.flatMap((code): Row[] => {
  const kind: OutcomeKind = isIn(PAY_DEFINITE_FAILURE_CODES, code) ? 'definite_failure' : 'unknown';
  return [
    [`PAY_FAIL ${code}`, 'pay', bizAnswer('PAY_FAIL', { error_code: code, data: order('PAY_CANCELED') }), kind],
    [`pay FAIL ${code}`, 'pay', bizAnswer('FAIL', { error_code: code }), kind],
    [`PAY_FAIL_ERROR ${code}`, 'pay', bizAnswer('PAY_FAIL_ERROR', { error_code: code }), 'unknown'],
  ];
});

/** Every listed business error code under FAIL on the other operations: definite only if listed for it. */
const failCodeRows: Row[] = BIZ_ERROR_CODES.flatMap((code): Row[] => {
  const notFound = code === 'UPAY_ORDER_NOT_EXISTS' || code === 'UPAY_ORDER_NOT_EXIST';
  const reversal: OutcomeKind = notFound || isIn(REVERSAL_REFUSAL_CODES, code) ? 'definite_failure' : 'unknown';
  return [
    [`query FAIL ${code}`, 'query', bizAnswer('FAIL', { error_code: code }), notFound ? 'definite_failure' : 'unknown'],
    [`cancel FAIL ${code}`, 'cancel', bizAnswer('FAIL', { error_code: code }), reversal],
    [`revoke FAIL ${code}`, 'revoke', bizAnswer('FAIL', { error_code: code }), reversal],
    [
      `refund FAIL ${code}`,
      'refund',
      bizAnswer('FAIL', { error_code: code }),
      isIn(REFUND_REFUSAL_CODES, code) ? 'definite_failure' : 'unknown',
    ],
  ];
});

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
  ...failCodeRows,
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

  it('keeps what the saga checks an answer against (money-rules R1): client_sn, terminal_sn, amount', () => {
    const result = classify(
      'query',
      bizAnswer('SUCCESS', { data: order('PAID', { terminal_sn: '100000000000009999', total_amount: '1' }) }),
    );
    expect(result.order).toEqual({
      sn: '7894259244067349',
      clientSn: 'ORDER-0001',
      terminalSn: '100000000000009999',
      orderStatus: 'PAID',
      totalAmountFen: 1,
    });
  });

  it('leaves terminalSn out when the answer names no terminal (absent or null)', () => {
    expect(classify('query', bizAnswer('SUCCESS', { data: order('PAID') })).order).not.toHaveProperty('terminalSn');
    const withNull = {
      kind: 'http',
      status: 200,
      body: JSON.stringify({
        result_code: '200',
        biz_response: { result_code: 'SUCCESS', data: { ...order('PAID'), terminal_sn: null } },
      }),
    } as const;
    expect(classify('query', withNull).order).not.toHaveProperty('terminalSn');
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
