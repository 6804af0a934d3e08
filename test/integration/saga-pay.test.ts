import type { Scenario } from '../../simulator';
import { expectConsistent, ledgerOrder, newPayment, useSagaStack } from '../helpers/saga-stack';
import type { PaymentState } from '../../workflows/types';

/**
 * Decision table, pay and confirm rows: every pay answer, then what the queries say. Real Temporal
 * dev server, real worker and client, the simulator over HTTP.
 */
describe('saga decision table: pay and confirm', () => {
  const stack = useSagaStack();

  const rows: [label: string, scenario: Scenario | undefined, state: PaymentState, operations: string[]][] = [
    ['PAY_SUCCESS', undefined, 'PAID', ['pay']],
    ['PAY_FAIL EXPIRED_BARCODE', { pay: { result: 'PAY_FAIL', errorCode: 'EXPIRED_BARCODE' } }, 'FAILED', ['pay']],
    ['PAY_FAIL INSUFFICIENT_FUND', { pay: { result: 'PAY_FAIL', errorCode: 'INSUFFICIENT_FUND' } }, 'FAILED', ['pay']],
    [
      'PAY_IN_PROGRESS → query PAID',
      { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } } },
      'PAID',
      ['pay', 'query', 'query'],
    ],
    [
      'PAY_IN_PROGRESS → query PAY_CANCELED',
      { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterQueries: 1 } } },
      'FAILED',
      ['pay', 'query'],
    ],
    [
      'PAY_FAIL_IN_PROGRESS → query PAID',
      { pay: { result: 'PAY_FAIL_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 1 } } },
      'PAID',
      ['pay', 'query'],
    ],
    [
      'PAY_FAIL_ERROR → query PAY_ERROR until the window ends → cancel',
      { pay: { result: 'PAY_FAIL_ERROR' } },
      'CANCELED',
      ['pay', 'query…', 'cancel'],
    ],
    ['top-level 500 after commit → query PAID', { pay: { fault: 'system-error' } }, 'PAID', ['pay', 'query']],
    [
      'MAINTENANCE_INPROGRESS, nothing created → not found once no pay of ours can arrive',
      { pay: { fault: 'maintenance', commit: false } },
      'FAILED',
      ['pay', 'query…'], // not found proves nothing while the pay may still arrive (R5)
    ],
    ['connection reset after commit → query PAID', { pay: { fault: 'reset' } }, 'PAID', ['pay', 'query']],
    ['response never comes (hang) after commit → query PAID', { pay: { fault: 'hang' } }, 'PAID', ['pay', 'query']],
    ['truncated JSON after commit → query PAID', { pay: { fault: 'truncated-json' } }, 'PAID', ['pay', 'query']],
    [
      'HTML 502 page, nothing created → not found once no pay of ours can arrive',
      { pay: { fault: 'html-502', commit: false } },
      'FAILED',
      ['pay', 'query…'], // not found proves nothing while the pay may still arrive (R5)
    ],
    ['pay held past the read timeout, then PAID → query PAID', { pay: { holdMs: 2_500 } }, 'PAID', ['pay', 'query']],
    [
      'query errors, then PAID',
      { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } }, query: [{ fault: 'reset' }] },
      'PAID',
      ['pay', 'query', 'query'],
    ],
  ];

  /** Collapses a run of confirm queries (their number depends on timing) into one `query…`. */
  const collapseQueries = (ops: string[]) =>
    ops.filter((op, i) => !(op === 'query' && ops[i - 1] === 'query')).map((op) => (op === 'query' ? 'query…' : op));

  it.each(rows)('%s', async (_label, scenario, expected, operations) => {
    const request = newPayment();
    if (scenario) stack.sim.setScenario(request.clientSn, scenario);
    const { status, outcomeKnown } = await stack.payments.pay(request);
    expect(outcomeKnown).toBe(true);
    expect(status.state).toBe(expected);
    const seen = status.calls.map((c) => c.operation);
    expect(operations.includes('query…') ? collapseQueries(seen) : seen).toEqual(operations);
    await expectConsistent(stack, status);
  });

  it('never treats an unknown pay as success: the first call is unknown and the state comes from the query', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { pay: { fault: 'reset' } });
    const { status } = await stack.payments.pay(request);
    expect(status.calls[0]).toMatchObject({ operation: 'pay', kind: 'unknown', transportError: expect.any(String) });
    expect(status.calls[1]).toMatchObject({ operation: 'query', kind: 'success', order: { orderStatus: 'PAID' } });
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('PAID');
  });
});
